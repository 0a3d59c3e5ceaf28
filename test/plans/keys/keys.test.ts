import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditKeyFile, checkpointPublicKeys, loadAuditSigner } from '../../../src/plans/access-log/signer.js';
import { KeyFileError } from '../../../src/plans/keys/key-files.js';
import {
  devIssuerKeyFile,
  initKeys,
  loadSecretBox,
  readDevIssuerJwk,
  rotateSigningKey,
  secretsKeyFile,
} from '../../../src/plans/keys/keys.js';
import { secretBox } from '../../../src/plans/keys/secrets.js';
import { cli, cliHere, startService } from '../../cli/helpers.js';
import { tempDir } from '../../helpers.js';

const modeOf = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);
/** Every secret byte string in KEYS_DIR, in the forms a careless print would show it. */
function secretForms(keysDir: string): string[] {
  const jwk = JSON.parse(fs.readFileSync(devIssuerKeyFile(keysDir), 'utf8')) as { d: string };
  const pem = fs.readFileSync(auditKeyFile(keysDir), 'utf8');
  const body = pem
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('');
  return [fs.readFileSync(secretsKeyFile(keysDir), 'utf8').trim(), jwk.d, body];
}

describe('KEYS_DIR', () => {
  it('keys init makes the three keys owner-only, says what it made or found, and never prints a secret', async () => {
    const dataDir = tempDir();
    const keysDir = path.join(tempDir(), 'shared-keys');
    const first = await cliHere(['keys', 'init'], dataDir, { KEYS_DIR: keysDir });
    expect(first.code).toBe(0);
    for (const f of [auditKeyFile(keysDir), devIssuerKeyFile(keysDir), secretsKeyFile(keysDir)]) {
      expect(first.stdout).toMatch(new RegExp(`created\\s+.*${f.replace(/[.]/g, '\\.')}`));
      expect(modeOf(f)).toBe('600');
    }
    expect(modeOf(keysDir)).toBe('700');
    const again = await cliHere(['keys', 'init'], dataDir, { KEYS_DIR: keysDir });
    expect(again.stdout.match(/^\s+found\s/gm)).toHaveLength(3);
    expect(again.stdout).not.toMatch(/created/);
    for (const secret of secretForms(keysDir)) expect(first.stdout + first.stderr + again.stdout + again.stderr).not.toContain(secret);
    // Nothing of it went to DATA_DIR.
    expect(fs.existsSync(path.join(dataDir, 'keys'))).toBe(false);
  });

  it('nodes starting together on one KEYS_DIR all end up with the same keys (written aside, then linked without overwriting)', async () => {
    const keysDir = path.join(tempDir(), 'keys');
    // Six real processes at once, each on its own DATA_DIR and the one KEYS_DIR.
    const runs = await Promise.all(Array.from({ length: 6 }, () => cli(['keys', 'init'], tempDir(), { KEYS_DIR: keysDir })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const lines = runs.map((r) =>
      r.stdout
        .split('\n')
        .map((l) => /^\s+(created|found)\s+(.+?): \S+(?: \(key id (\w+)\))?$/.exec(l))
        .filter((m) => m !== null),
    );
    const ids = (what: string) => new Set(lines.map((ls) => ls.find((m) => m[2] === what)![3]));
    expect(ids('checkpoint signing key').size).toBe(1);
    expect(ids('secrets key').size).toBe(1);
    expect([...ids('checkpoint signing key')][0]).toBe(loadAuditSigner(keysDir, { create: false })!.keyId);
    expect([...ids('secrets key')][0]).toBe(loadSecretBox(keysDir, { create: false })!.keyId);
    // Exactly one process made each key; no temporary file is left behind.
    for (const what of ['checkpoint signing key', 'development issuer key', 'secrets key']) {
      expect(
        lines.filter((ls) => ls.find((m) => m[2] === what)![1] === 'created'),
        what,
      ).toHaveLength(1);
    }
    expect(fs.readdirSync(keysDir).filter((f) => f.startsWith('.'))).toEqual([]);
  }, 60_000);

  it('refuses a key file of the wrong length, of another kind, or readable by others, naming the file', () => {
    const keysDir = tempDir();
    initKeys(keysDir);
    const secrets = secretsKeyFile(keysDir);
    const good = fs.readFileSync(secrets);

    fs.writeFileSync(secrets, `${Buffer.alloc(16, 1).toString('base64')}\n`);
    expect(() => loadSecretBox(keysDir)).toThrow(
      new KeyFileError(`the key file ${secrets} is not a secrets key: it must hold 32 random bytes in base64 (it holds 16 bytes)`),
    );
    fs.writeFileSync(secrets, 'not base64 at all!\n');
    expect(() => initKeys(keysDir)).toThrow(secrets);
    fs.writeFileSync(secrets, good);
    fs.chmodSync(secrets, 0o644);
    expect(() => initKeys(keysDir)).toThrow(`the key file ${secrets} has mode 0644: other users may read it`);
    fs.chmodSync(secrets, 0o600);

    const jwk = devIssuerKeyFile(keysDir);
    const key = JSON.parse(fs.readFileSync(jwk, 'utf8')) as Record<string, string>;
    fs.writeFileSync(jwk, JSON.stringify({ ...key, d: key.d!.slice(0, 20) }));
    expect(() => readDevIssuerJwk(keysDir)).toThrow(`the key file ${jwk} is not the development issuer's key`);
    fs.rmSync(jwk);

    const signing = auditKeyFile(keysDir);
    fs.writeFileSync(signing, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    expect(() => initKeys(keysDir)).toThrow(`the key file ${signing} is not a private key in PEM form`);
  });

  it('the service refuses to start on an unusable key, naming the file; the CLI says the same', async () => {
    const dataDir = tempDir();
    const keysDir = path.join(tempDir(), 'keys');
    initKeys(keysDir);
    fs.chmodSync(auditKeyFile(keysDir), 0o640);
    await expect(startService({ DATA_DIR: dataDir, KEYS_DIR: keysDir }, ['--no-demo'], 30_000)).rejects.toThrow(
      `Refusing to start: the key file ${auditKeyFile(keysDir)} has mode 0640`,
    );
    fs.chmodSync(auditKeyFile(keysDir), 0o600);
    fs.writeFileSync(secretsKeyFile(keysDir), Buffer.alloc(40, 7).toString('base64'));
    const r = await cli(['verify-audit'], dataDir, { KEYS_DIR: keysDir });
    // verify-audit reads only public keys: it still works; a command that seals a secret does not.
    expect(r.code, r.stderr).toBe(0);
    const secretFile = path.join(tempDir(), 'secret');
    fs.writeFileSync(secretFile, 'synthetic');
    const oidc = await cliHere(
      ['org', 'oidc', 'southbank-mh', '--issuer', 'https://idp.example.test', '--client-id', 'c', '--client-secret-file', secretFile],
      dataDir,
      { KEYS_DIR: keysDir },
    );
    expect(oidc.code).toBe(1);
    expect(oidc.stderr).toContain(`error: the key file ${secretsKeyFile(keysDir)} is not a secrets key`);
  }, 60_000);

  it('an upgrade that sets KEYS_DIR moves the keys from DATA_DIR/keys, so older checkpoints stay verifiable', () => {
    const dataDir = tempDir();
    const before = loadAuditSigner(path.join(dataDir, 'keys'))!;
    readDevIssuerJwk(path.join(dataDir, 'keys'));
    const keysDir = path.join(tempDir(), 'keys');
    const report = initKeys(keysDir, { dataDir });
    expect(report.map((r) => [r.what, r.state])).toEqual([
      ['checkpoint signing key', 'moved'],
      ['development issuer key', 'moved'],
      ['secrets key', 'created'],
    ]);
    expect(loadAuditSigner(keysDir, { create: false })!.keyId).toBe(before.keyId);
    expect(fs.readdirSync(path.join(dataDir, 'keys'))).toEqual([]);

    // A second DATA_DIR with a key of its own (another node's old key): kept as a public key only.
    const otherData = tempDir();
    const otherOld = loadAuditSigner(path.join(otherData, 'keys'))!;
    expect(initKeys(keysDir, { dataDir: otherData }).find((r) => r.what === 'checkpoint signing key')).toMatchObject({
      state: 'retired',
      keyId: otherOld.keyId,
    });
    expect(loadAuditSigner(keysDir, { create: false })!.keyId).toBe(before.keyId);
    expect([...checkpointPublicKeys(keysDir).keys()].sort()).toEqual([before.keyId, otherOld.keyId].sort());
    expect(fs.existsSync(auditKeyFile(path.join(otherData, 'keys')))).toBe(false);
  });

  it('rotation: a new signing key, every older public key kept; a public key file swapped for another key is refused', () => {
    const keysDir = tempDir();
    const first = loadAuditSigner(keysDir)!;
    const r = rotateSigningKey(keysDir);
    expect(r.retired).toBe(first.keyId);
    expect(r.current).not.toBe(first.keyId);
    expect(loadAuditSigner(keysDir, { create: false })!.keyId).toBe(r.current);
    expect([...checkpointPublicKeys(keysDir).keys()].sort()).toEqual([first.keyId, r.current].sort());
    expect(modeOf(auditKeyFile(keysDir))).toBe('600');

    const planted = path.join(keysDir, 'checkpoint-keys', `${'0'.repeat(64)}.pem`);
    fs.writeFileSync(planted, loadAuditSigner(tempDir())!.publicKeyPem);
    expect(() => checkpointPublicKeys(keysDir)).toThrow(`the key file ${planted} holds the key`);
  });
});

describe('the secrets key', () => {
  const box = secretBox(Buffer.alloc(32, 3));

  it('seals a secret to one organisation: it opens there, not moved to another, not altered, not under another key', () => {
    const sealed = box.seal('organisation_oidc.client_secret', 'southbank-mh', 'synthetic-secret');
    expect(sealed.ciphertext).not.toContain('synthetic');
    expect(box.open('organisation_oidc.client_secret', 'southbank-mh', sealed)).toEqual({ ok: true, value: 'synthetic-secret' });
    // Sealing twice gives different ciphertexts (a fresh nonce each time).
    expect(box.seal('organisation_oidc.client_secret', 'southbank-mh', 'synthetic-secret').ciphertext).not.toBe(sealed.ciphertext);
    expect(box.open('organisation_oidc.client_secret', 'capital-police', sealed)).toMatchObject({ ok: false, problem: 'damaged' });
    expect(box.open('something-else', 'southbank-mh', sealed)).toMatchObject({ ok: false, problem: 'damaged' });
    const raw = Buffer.from(sealed.ciphertext, 'base64url');
    for (const at of [0, 12, raw.length - 1]) {
      const bad = Buffer.from(raw);
      bad[at]! ^= 1;
      expect(
        box.open('organisation_oidc.client_secret', 'southbank-mh', { ...sealed, ciphertext: bad.toString('base64url') }),
      ).toMatchObject({ ok: false, problem: 'damaged' });
    }
    expect(box.open('organisation_oidc.client_secret', 'southbank-mh', { ...sealed, ciphertext: 'AAAA' })).toMatchObject({
      ok: false,
      problem: 'damaged',
    });
    const other = secretBox(Buffer.alloc(32, 4));
    expect(other.keyId).not.toBe(box.keyId);
    expect(other.open('organisation_oidc.client_secret', 'southbank-mh', sealed)).toMatchObject({ ok: false, problem: 'unknown-key' });
    expect(other.open('organisation_oidc.client_secret', 'southbank-mh', { ...sealed, keyId: other.keyId })).toMatchObject({
      ok: false,
      problem: 'damaged',
    });
  });
});
