import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeBackup, restoreBackup } from '../../../src/plans/backup/backup.js';
import { ensureDemoOrganisations } from '../../../src/plans/demo/demo.js';
import { sealSecretFiles } from '../../../src/plans/governance/oidc-secret-files.js';
import { loadSecretBox } from '../../../src/plans/keys/keys.js';
import { configureOidc, getOidcConfig, oidcConfigInputSchema, openClientSecret, sealClientSecret } from '../../../src/plans/oidc-config.js';
import { dialects, tempDir, testClock, testStore } from '../../helpers.js';

const clock = testClock();
const settings = (org: string) => oidcConfigInputSchema.parse({ org, issuer: `https://idp.${org}.example.test`, clientId: `rpl-${org}` });

describe.each(dialects)('OpenID client secrets in the database (%s)', (dialect) => {
  it('secret files from before KEYS_DIR are sealed in once at start; ours are deleted, the operator’s kept, an unreadable one left for later', async () => {
    const dataDir = tempDir();
    const db = await testStore(dialect, dataDir);
    await ensureDemoOrganisations(db, clock());
    const box = loadSecretBox(tempDir())!;
    fs.mkdirSync(path.join(dataDir, 'oidc'), { mode: 0o700 });
    const ours = path.join(dataDir, 'oidc', 'capital-police.0a1b2c.client-secret');
    fs.writeFileSync(ours, 'synthetic-secret-capital\n', { mode: 0o600 });
    const operators = path.join(tempDir(), 'southbank.secret');
    fs.writeFileSync(operators, 'synthetic-secret-southbank', { mode: 0o600 });
    const missing = path.join(tempDir(), 'gone.secret');
    const { t, q } = db;
    for (const [org, file] of [
      ['capital-police', ours],
      ['southbank-mh', operators],
      ['metro-ambulance', missing],
    ] as const) {
      await db.exec(
        q.insert(t.organisationOidc).values({
          orgSlug: org,
          issuer: `https://idp.${org}.example.test`,
          clientId: `rpl-${org}`,
          clientSecretFile: file,
          rolesClaim: 'roles',
          roleMap: '{}',
          scopes: 'openid profile',
          enabled: 1,
          updatedAt: clock().toISOString(),
        }),
      );
    }
    // Before: nothing to open, so the provider is unusable rather than read from a path.
    expect(openClientSecret((await getOidcConfig(db, 'capital-police'))!, box)).toMatchObject({ ok: false });

    const outcomes = await sealSecretFiles(db, box, dataDir);
    expect(outcomes).toEqual([
      { org: 'capital-police', file: ours, sealed: true, removed: true },
      { org: 'metro-ambulance', file: missing, sealed: false, problem: 'unreadable' },
      { org: 'southbank-mh', file: operators, sealed: true, removed: false },
    ]);
    expect(openClientSecret((await getOidcConfig(db, 'capital-police'))!, box)).toEqual({ ok: true, value: 'synthetic-secret-capital' });
    expect(openClientSecret((await getOidcConfig(db, 'southbank-mh'))!, box)).toEqual({ ok: true, value: 'synthetic-secret-southbank' });
    expect(openClientSecret((await getOidcConfig(db, 'metro-ambulance'))!, box)).toMatchObject({ ok: false });
    expect(fs.existsSync(path.join(dataDir, 'oidc'))).toBe(false);
    expect(fs.readFileSync(operators, 'utf8')).toBe('synthetic-secret-southbank');

    // Once only: the next start finds just the file it still cannot read.
    expect(await sealSecretFiles(db, box, dataDir)).toEqual([
      { org: 'metro-ambulance', file: missing, sealed: false, problem: 'unreadable' },
    ]);
  });

  it('a backup carries the ciphertext, never the secret; restored with the same KEYS_DIR it opens, with another it is unusable', async () => {
    const db = await testStore(dialect);
    await ensureDemoOrganisations(db, clock());
    const keysDir = tempDir();
    const box = loadSecretBox(keysDir)!;
    const secret = 'synthetic-backup-secret-7f3a';
    expect((await configureOidc(db, settings('capital-police'), sealClientSecret(box, 'capital-police', secret), clock())).ok).toBe(true);
    const file = path.join(tempDir(), 'backup.ndjson.gz');
    await writeBackup(db, file, { now: clock });
    const text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
    expect(text).not.toContain(secret);
    expect(text).toContain((await getOidcConfig(db, 'capital-police'))!.clientSecret!.ciphertext);

    const restored = await testStore(dialect);
    await restoreBackup(restored, file, { keys: { keys: new Map(), explicit: false } });
    const config = (await getOidcConfig(restored, 'capital-police'))!;
    expect(openClientSecret(config, loadSecretBox(keysDir, { create: false }))).toEqual({ ok: true, value: secret });
    const other = openClientSecret(config, loadSecretBox(tempDir())!);
    expect(other).toMatchObject({ ok: false });
    expect(!other.ok && other.detail).toMatch(/^capital-police's client secret: sealed with secrets key \w+…, not this KEYS_DIR's/);
  });
});
