import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loadAuditSigner } from '../../../src/plans/access-log/signer.js';
import { verifyAuditLog } from '../../../src/plans/access-log/verify.js';
import { seedSyntheticPlans } from '../../../src/plans/demo/demo.js';
import { loadDevIssuer } from '../../../src/server/auth/dev-issuer.js';
import { accessEvents, databaseFile, openDatabase, tempDir, keysDirIn } from '../../helpers.js';

/** The real service (src/main.ts), on its own data dir and a free port; resolves with its URL. */
async function startService(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--no-demo'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = out.match(/service: (http:\/\/\S+)/);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`service exited early (${code})`)));
  });
  return { child, url };
}

describe('crash safety', () => {
  it('SIGKILL under concurrent load: every plan the client received has its event, the chain verifies, the service serves again', async () => {
    const dir = tempDir('rpl-crash-');
    const db = openDatabase(databaseFile(dir));
    await seedSyntheticPlans(db, 40, { now: () => new Date() });
    const planIds = (await db.many<{ id: string }>(sql`SELECT id FROM plans WHERE current_version_id IS NOT NULL ORDER BY id`)).map(
      (p) => p.id,
    );
    await db.close();
    const token = await (await loadDevIssuer(keysDirIn(dir))).sign({ sub: 'pc.crash', org: 'capital-police', roles: ['responder'] }, 600);

    const { child, url } = await startService(dir);
    const received: { purpose: string; planId: string }[] = [];
    let n = 0;
    let killed = false;
    const worker = async () => {
      while (!killed) {
        const purpose = `CRASH-${++n}`;
        const planId = planIds[n % planIds.length]!;
        try {
          const res = await fetch(`${url}/api/v1/plans/${planId}`, {
            headers: { authorization: `Bearer ${token}`, 'x-access-purpose': purpose },
          });
          const body = (await res.json()) as { planId?: string };
          if (res.status === 200) received.push({ purpose, planId: body.planId! });
        } catch {
          // the connection died with the process: this response never reached the client
        }
      }
    };
    const load = Array.from({ length: 20 }, worker);
    // A service that never serves 300 plans (refusing, or stuck) fails the test here, not at its timeout
    // with the load still running against it.
    const deadline = Date.now() + 30_000;
    while (received.length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const exited = child.exitCode === null && child.signalCode === null ? once(child, 'exit') : Promise.resolve();
    child.kill('SIGKILL');
    killed = true;
    await exited;
    await Promise.all(load);
    expect(received.length, 'plans received before the kill (30 s at most)').toBeGreaterThanOrEqual(300);

    const after = openDatabase(databaseFile(dir));
    const logged = new Map((await accessEvents(after)).map((e) => [e.purpose, e]));
    const missing = received.filter((r) => logged.get(r.purpose)?.planId !== r.planId || logged.get(r.purpose)?.outcome !== 'allowed');
    expect(missing).toEqual([]);
    const publicKey = loadAuditSigner(keysDirIn(dir), { create: false })!.publicKeyPem;
    expect(await verifyAuditLog(after, publicKey)).toMatchObject({ ok: true });
    await after.close();

    const again = await startService(dir);
    const res = await fetch(`${again.url}/api/v1/plans/${planIds[0]}`, {
      headers: { authorization: `Bearer ${token}`, 'x-access-purpose': 'AFTER-RESTART' },
    });
    expect(res.status).toBe(200);
    again.child.kill('SIGTERM');
    await once(again.child, 'exit');
    const final = openDatabase(databaseFile(dir));
    // A clean shutdown signs the final head, so nothing is left outside a checkpoint.
    expect(await verifyAuditLog(final, publicKey)).toMatchObject({ ok: true, uncheckpointed: 0 });
    expect((await accessEvents(final)).at(-1)).toMatchObject({ purpose: 'AFTER-RESTART', outcome: 'allowed' });
    await final.close();
  }, 60_000);
});
