import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseUrl, openBenchStore, scratchDatabase } from './store.js';
import { isoDay } from '../src/plans/core/clock.js';
import { demoPlanOwners, ensureDemoOrganisations } from '../src/plans/demo/demo.js';
import { syntheticRecords } from '../src/plans/demo/synthetic.js';
import { validateImportFile } from '../src/plans/versions/import-check.js';
import { importFile } from '../src/plans/versions/importer.js';

/**
 * Import of `plans` synthetic plans (DESIGN §5: 10,000 in under 5 s), each time into a fresh scratch data
 * dir with only the demo organisations: once in this process through the functions the CLI calls (check,
 * then import), and once end to end as an operator runs it, `npm run cli -- import FILE` (npm, node, tsx
 * and module loading included). Run before the service starts, so nothing else of the bench competes.
 */

export type ImportBench = { plans: number; ms: number; plansPerSecond: number; checkMs: number; writeMs: number; cliMs: number };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A fresh store with only the demo organisations: a SQLite data dir, or a PostgreSQL scratch database. */
async function scratch(): Promise<{ dir: string; url: string | undefined; remove: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpl-bench-import-'));
  const database = databaseUrl ? await scratchDatabase(databaseUrl) : undefined;
  const db = await openBenchStore(dir, database?.url);
  await ensureDemoOrganisations(db, new Date());
  await db.close();
  return {
    dir,
    url: database?.url,
    remove: async () => {
      await database?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function runCli(args: string[], target: { dir: string; url: string | undefined }): Promise<void> {
  return new Promise((resolve, reject) => {
    const { DATABASE_URL: _, ...inherited } = process.env;
    const env = { ...inherited, DATA_DIR: target.dir, ...(target.url ? { DATABASE_URL: target.url } : {}) };
    const child = spawn('npm', ['run', '-s', 'cli', '--', ...args], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`import exited with ${code}: ${stderr}`))));
  });
}

export async function benchImport(plans: number): Promise<ImportBench> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rpl-bench-ndjson-'));
  const file = path.join(work, 'plans.ndjson');
  const today = isoDay(new Date());
  fs.writeFileSync(
    file,
    [...syntheticRecords(plans, { seed: 1234, owningOrgs: demoPlanOwners, today })].map((r) => `${JSON.stringify(r)}\n`).join(''),
  );
  try {
    const fn = await scratch();
    const db = await openBenchStore(fn.dir, fn.url);
    const started = performance.now();
    const checked = await validateImportFile(db, file);
    const checkedAt = performance.now();
    const { summary, stopped } = await importFile(db, file, checked, { importedBy: 'bench', now: () => new Date() });
    const done = performance.now();
    await db.close();
    await fn.remove();
    if (stopped || summary.created !== plans) throw new Error(`bench import went wrong: ${stopped?.message ?? JSON.stringify(summary)}`);

    const cli = await scratch();
    const cliStarted = performance.now();
    await runCli(['import', file], cli);
    const cliMs = performance.now() - cliStarted;
    await cli.remove();

    const ms = done - started;
    return {
      plans,
      ms: Math.round(ms),
      plansPerSecond: Math.round(plans / (ms / 1000)),
      checkMs: Math.round(checkedAt - started),
      writeMs: Math.round(done - checkedAt),
      cliMs: Math.round(cliMs),
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
