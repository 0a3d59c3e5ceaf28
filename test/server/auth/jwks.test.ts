import { sql } from 'drizzle-orm';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { adoptJwksFiles } from '../../../src/plans/governance/jwks-files.js';
import { addOrganisation, getOrganisation } from '../../../src/plans/organisations.js';
import { createAuthenticator } from '../../../src/server/auth/authenticator.js';
import { TOKEN_AUDIENCE } from '../../../src/server/auth/dev-issuer.js';
import { cli } from '../../cli/helpers.js';
import { testApp, who, type TestApp } from '../../helpers.js';
import { signedIn } from '../web/helpers.js';

/**
 * Issue 20 item 3: `jwks` was any local path or any URL. A path from the API was read synchronously on
 * every verification (a FIFO froze the event loop, /etc/passwd came back in the 401); any URL was fetched.
 */
const ISS = 'https://idp.river-police.example';

async function key() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' } };
}
const token = (t: TestApp, k: Awaited<ReturnType<typeof key>>, iss = ISS) =>
  new SignJWT({ org: 'river-police', roles: ['responder'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(iss)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject('pc.river')
    .setIssuedAt(Math.floor(t.clock().getTime() / 1000))
    .setExpirationTime(Math.floor(t.clock().getTime() / 1000) + 600)
    .sign(k.privateKey);

/** A row as an older version may have written it: whatever string, straight into the register. */
function legacyRow(t: TestApp, jwks: string, issuer = ISS) {
  return t.db.exec(
    sql`INSERT INTO organisations (slug, name, kind, issuer, jwks, created_at) VALUES ('river-police', 'River Police (synthetic)', 'police', ${issuer}, ${jwks}, ${t.clock().toISOString()})`,
  );
}

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});
async function serve(handler: http.RequestListener) {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function fifo(dir: string) {
  const file = path.join(dir, 'keys.fifo');
  execFileSync('mkfifo', [file]);
  return file;
}

describe('jwks: what the API accepts', () => {
  it('refuses a path, a file: URL and plain http to this machine beside an https issuer, and fetches nothing', async () => {
    const t = await testApp();
    let asked = 0;
    const internal = await serve((_req, res) => {
      asked++;
      res.end('internal secret');
    });
    for (const jwks of [
      '/etc/passwd',
      fifo(t.dir),
      '/dev/zero',
      'file:///etc/passwd',
      'keys.json',
      `${internal}/internal`,
      'ftp://idp.example/jwks',
    ]) {
      const res = await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', {
        body: { issuer: 'https://idp.southbank.example', jwks, reason: 'trying the key set' },
      });
      expect(res.status, jwks).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(
        res.json.errors.map((e: { path: string }) => e.path),
        jwks,
      ).toContain('jwks');
      expect(res.text).not.toContain('root:');
    }
    expect(asked).toBe(0);
    expect((await getOrganisation(t.db, 'southbank-mh'))!.jwks).toBeNull();
  });

  it('refuses a key set holding a private key; takes an inline public key set (object or JSON text) and stores it', async () => {
    const t = await testApp();
    const k = await key();
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const withPrivate = { keys: [{ ...(await exportJWK(privateKey)), kid: 'k1' }] };
    const bad = await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', {
      body: { issuer: 'https://idp.southbank.example', jwks: withPrivate, reason: 'trying the key set' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { path: string }) => e.path.split('.')[0])).toContain('jwks');
    const text = await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', {
      body: {
        issuer: 'https://idp.southbank.example',
        jwks: JSON.stringify({ keys: [k.jwk] }),
        reason: 'our provider signs with this key',
      },
    });
    expect(text.status, text.text).toBe(200);
    expect(JSON.parse((await getOrganisation(t.db, 'southbank-mh'))!.jwks!)).toEqual({ keys: [k.jwk] });
  });
});

describe("jwks: the administrator's form", () => {
  it('shows a refused path as an error on the field, with nothing of the file in the page', async () => {
    const t = await testApp();
    const admin = await signedIn(t, 'demo.admin');
    const res = await admin.post('/admin/organisations/southbank-mh', {
      name: 'Southbank Mental Health (synthetic)',
      kind: 'mental-health',
      issuer: 'https://idp.southbank.example',
      jwks: '/etc/passwd',
      reason: 'our provider',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('href="#jwks"');
    expect(res.text).not.toContain('root:');
    expect((await getOrganisation(t.db, 'southbank-mh'))!.jwks).toBeNull();
  });
});

describe('jwks: what the authenticator does with the register', () => {
  it('never opens a path kept from before (a FIFO does not freeze it; no byte of /etc/passwd in the 401)', {
    timeout: 20_000,
  }, async () => {
    const t = await testApp();
    const k = await key();
    await legacyRow(t, '/etc/passwd');
    const res = await t.app.request('/api/v1/search?q=x', {
      headers: { authorization: `Bearer ${await token(t, k)}`, 'x-access-purpose': 'INC-1' },
    });
    expect(res.status).toBe(401);
    const body = await res.text();
    expect(body).not.toMatch(/root|:x:0:0|Unexpected token/);
    expect(body).toContain('token signing keys are not usable');

    await t.db.exec(sql`UPDATE organisations SET jwks = ${fifo(t.dir)} WHERE slug = 'river-police'`);
    const auth = createAuthenticator(t.db, t.devIssuer, t.clock);
    expect(await auth.verify(await token(t, k))).toMatchObject({ ok: false, code: 'unauthenticated' });
  });

  it('a remote key set is read only up to its size cap: an endless answer is refused at once, a padded one too', {
    timeout: 20_000,
  }, async () => {
    const t = await testApp();
    const k = await key();
    let mode: 'endless' | 'padded' | 'passwd' = 'endless';
    const iss = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (mode === 'passwd') return res.end('root:x:0:0:root:/root:/bin/bash\n');
      if (mode === 'padded') return res.end(JSON.stringify({ keys: [k.jwk] }) + ' '.repeat(200_000));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const more = () => {
        while (res.write(chunk));
        res.once('drain', more);
      };
      res.write('{"keys":[');
      more();
    });
    await legacyRow(t, `${iss}/jwks`, iss);
    const started = performance.now();
    const endless = await createAuthenticator(t.db, t.devIssuer, t.clock, { jwksTimeoutMs: 10_000 }).verify(await token(t, k, iss));
    expect(endless).toMatchObject({ ok: false, code: 'unauthenticated' });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(!endless.ok && endless.detail).toContain('could not be fetched or used');

    mode = 'padded';
    expect((await createAuthenticator(t.db, t.devIssuer, t.clock).verify(await token(t, k, iss))).ok).toBe(false);
    mode = 'passwd';
    const res = await createAuthenticator(t.db, t.devIssuer, t.clock).verify(await token(t, k, iss));
    expect(res.ok).toBe(false);
    expect(JSON.stringify(res)).not.toContain('root');
  });

  it('plain http beside an https issuer is not fetched, even if recorded before', async () => {
    const t = await testApp();
    const k = await key();
    let asked = 0;
    const internal = await serve((_req, res) => {
      asked++;
      res.end(JSON.stringify({ keys: [k.jwk] }));
    });
    await legacyRow(t, `${internal}/internal`);
    expect((await createAuthenticator(t.db, t.devIssuer, t.clock).verify(await token(t, k))).ok).toBe(false);
    expect(asked).toBe(0);
  });
});

describe('jwks: key set files, read once by the operator', () => {
  it('at start-up a path kept from before becomes the inline key set, or is removed if it is not one, as governance events', {
    timeout: 20_000,
  }, async () => {
    const t = await testApp();
    const k = await key();
    const good = path.join(t.dir, 'river-jwks.json');
    fs.writeFileSync(good, JSON.stringify({ keys: [k.jwk] }));
    await legacyRow(t, good);
    for (const [slug, file] of [
      ['fifo-police', fifo(t.dir)],
      ['passwd-police', '/etc/passwd'],
      ['zero-police', '/dev/zero'],
    ] as const) {
      await t.db.exec(
        sql`INSERT INTO organisations (slug, name, kind, issuer, jwks, created_at) VALUES (${slug}, 'Synthetic', 'police', 'https://idp.x.example', ${file}, ${t.clock().toISOString()})`,
      );
    }
    const adopted = await adoptJwksFiles({ db: t.db, log: t.accessLog, clock: t.clock });
    expect(adopted.map((a) => [a.org, a.adopted ? 'adopted' : a.problem])).toEqual([
      ['fifo-police', 'not-a-file'],
      ['passwd-police', 'not-a-key-set'],
      ['river-police', 'adopted'],
      ['zero-police', 'not-a-file'],
    ]);
    expect(JSON.parse((await getOrganisation(t.db, 'river-police'))!.jwks!)).toEqual({ keys: [k.jwk] });
    for (const slug of ['fifo-police', 'passwd-police', 'zero-police']) expect((await getOrganisation(t.db, slug))!.jwks).toBeNull();
    // The file is no longer used: tokens verify against the stored set even once it is gone.
    fs.rmSync(good);
    expect((await createAuthenticator(t.db, t.devIssuer, t.clock).verify(await token(t, k))).ok).toBe(true);
    await t.accessLog.planLookup();
    const events = (await t.events()).filter((e) => e.action === 'governance');
    expect(events).toHaveLength(4);
    expect(JSON.stringify(events)).not.toContain('root:');
    // Once done, nothing is left to do.
    expect(await adoptJwksFiles({ db: t.db, log: t.accessLog, clock: t.clock })).toEqual([]);
  });

  it('org add --jwks FILE stores the key set itself; a FIFO or /dev/zero is refused naming --jwks', { timeout: 120_000 }, async () => {
    const t = await testApp();
    const k = await key();
    const file = path.join(t.dir, 'river-jwks.json');
    fs.writeFileSync(file, JSON.stringify({ keys: [k.jwk] }));
    const base = ['org', 'add', 'river-police', '--name', 'River Police (synthetic)', '--kind', 'police', '--issuer', ISS];
    const dataDir = fs.mkdtempSync(path.join(t.dir, 'cli-'));
    const zero = await cli([...base, '--jwks', '/dev/zero'], dataDir);
    expect(zero.code).not.toBe(0);
    expect(zero.stderr).toContain('--jwks');
    expect(zero.stderr).toContain('is not a regular file');
    const added = await cli([...base, '--jwks', file], dataDir);
    expect(added.code, added.stderr).toBe(0);
    const { openDatabase, databaseFile } = await import('../../../db/index.js');
    const db = openDatabase(databaseFile(dataDir));
    try {
      expect(JSON.parse((await getOrganisation(db, 'river-police'))!.jwks!)).toEqual({ keys: [k.jwk] });
    } finally {
      await db.close();
    }
    expect(await addOrganisation(t.db, { slug: 'x-police', name: 'X', kind: 'police', issuer: ISS, jwks: file }, t.clock())).toMatchObject({
      ok: false,
      code: 'invalid',
    });
  });
});
