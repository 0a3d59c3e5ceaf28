import { sign } from 'node:crypto';
import path from 'node:path';
import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { checkpointPayload } from '../../../src/plans/access-log/chain.js';
import { createAccessLog, type AccessEventInput } from '../../../src/plans/access-log/log.js';
import { checkpointKeysDir, loadAuditSigner, type AuditSigner } from '../../../src/plans/access-log/signer.js';
import type { Db } from '../../../db/index.js';
import { cliHere } from '../../cli/helpers.js';
import { dialects, tempDir, testClock, testStore } from '../../helpers.js';

const event = (i: number): AccessEventInput => ({
  actor: { sub: `pc.${i % 3}`, org: 'capital-police', roles: ['responder'] },
  action: 'search',
  channel: 'api',
  purpose: `INC-${2000 + i}`,
  planId: null,
  versionId: null,
  query: { q: 'synthetic name' },
  outcome: 'allowed',
});

/** `n` events in commits of 5, each commit with a checkpoint signed by `signer`. */
async function record(db: Db, signer: AuditSigner, from: number, n: number) {
  const log = createAccessLog(db, { clock: testClock(), signer });
  for (let i = from; i < from + n; i += 5) await Promise.all(Array.from({ length: 5 }, (_, k) => log.record(event(i + k))));
  await log.close();
}

describe.each(dialects)('rotating the checkpoint signing key (%s)', (dialect) => {
  it('checkpoints signed before and after a rotation all verify; one signed by an unknown key fails, saying so', async () => {
    const dataDir = tempDir();
    const keysDir = path.join(tempDir(), 'keys');
    const db = await testStore(dialect, dataDir);
    const env = { KEYS_DIR: keysDir, ...(db.kind === 'pg' ? { DATABASE_URL: db.pg!.url } : {}) };
    expect((await cliHere(['keys', 'init'], dataDir, env)).code).toBe(0);
    const first = loadAuditSigner(keysDir, { create: false })!;
    await record(db, first, 1, 20);

    const rotated = await cliHere(['keys', 'rotate-signing'], dataDir, env);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain(`retired (public key kept): ${first.keyId}`);
    const second = loadAuditSigner(keysDir, { create: false })!;
    expect(second.keyId).not.toBe(first.keyId);
    await record(db, second, 21, 20);
    const keyIds = (await db.many<{ keyId: string }>(sql`SELECT DISTINCT key_id AS "keyId" FROM audit_checkpoints`))
      .map((r) => r.keyId)
      .sort();
    expect(keyIds).toEqual([first.keyId, second.keyId].sort());

    const ok = await cliHere(['verify-audit'], dataDir, env);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/^access log OK: 40 events, .*, 8 signed checkpoints/m);

    // Given only the old public key (an exported copy), the newer checkpoints are not vouched for.
    const oldOnly = path.join(tempDir(), 'old.pem');
    fs.writeFileSync(oldOnly, first.publicKeyPem);
    const partial = await cliHere(['verify-audit', '--public-key', oldOnly], dataDir, env);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain(`signed by key ${second.keyId.slice(0, 16)}…, which is not one of the public keys given`);
    const both = path.join(tempDir(), 'new.pem');
    fs.writeFileSync(both, second.publicKeyPem);
    expect((await cliHere(['verify-audit', '--public-key', oldOnly, '--public-key', both], dataDir, env)).code).toBe(0);

    // A checkpoint over the real head, properly signed, but by a key this deployment never had.
    const stranger = loadAuditSigner(tempDir())!;
    const head = (await db.one<{ seq: number; hash: string }>(sql`SELECT seq, hash FROM access_events ORDER BY seq DESC LIMIT 1`))!;
    const body = { at: testClock()().toISOString(), headSeq: head.seq, headHash: head.hash, keyId: stranger.keyId };
    const signature = sign(null, Buffer.from(checkpointPayload(body)), stranger.privateKey).toString('base64');
    await db.exec(db.q.insert(db.t.auditCheckpoints).values({ ...body, signature }));
    const forged = await cliHere(['verify-audit'], dataDir, env);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/access log BROKEN: 1 bad event/);
    expect(forged.stderr).toContain(
      `(checkpoint): checkpoint #9: signed by key ${stranger.keyId.slice(0, 16)}…, which is not one of the public keys given (KEYS_DIR's checkpoint keys, or --public-key)`,
    );

    // The public keys are what verification needs: a copy of checkpoint-keys/ alone verifies the rest.
    expect(fs.readdirSync(checkpointKeysDir(keysDir)).sort()).toEqual([`${first.keyId}.pem`, `${second.keyId}.pem`].sort());
  }, 60_000);
});
