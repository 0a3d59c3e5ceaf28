// The store the bench measures: PostgreSQL when DATABASE_URL is set (as for the service and the CLI),
// otherwise the SQLite file under the data dir. Its reads use the query builder, so they run on either.
import { and, count, eq, inArray, isNotNull } from 'drizzle-orm';
import pg from 'pg';
import { openStore, type Db } from '../db/index.js';

export const databaseUrl = process.env.DATABASE_URL || undefined;
export type StoreKind = 'sqlite' | 'postgresql';
export const storeKind = (url: string | undefined): StoreKind => (url ? 'postgresql' : 'sqlite');

/** `url` undefined is SQLite under dataDir (not DATABASE_URL: the bench runs a SQLite baseline beside PostgreSQL). */
export const openBenchStore = (dataDir: string, url: string | undefined): Promise<Db> =>
  openStore({ dataDir, databaseUrl: url, applicationName: 'rpl-bench' });

export async function planCount(db: Db): Promise<number> {
  const row = await db.one(db.q.select({ n: count() }).from(db.t.plans));
  return Number(row?.n ?? 0);
}

/** Published plans a capital-police responder may read (southbank-mh and northgate-mh own them). */
export async function readablePlanIds(db: Db): Promise<string[]> {
  const { plans } = db.t;
  const rows = await db.many(
    db.q
      .select({ id: plans.id })
      .from(plans)
      .where(and(isNotNull(plans.currentVersionId), inArray(plans.owningOrg, ['southbank-mh', 'northgate-mh'])))
      .orderBy(plans.id),
  );
  return rows.map((r) => r.id);
}

export async function ownerOf(db: Db, planId: string): Promise<string> {
  const row = await db.one(db.q.select({ org: db.t.plans.owningOrg }).from(db.t.plans).where(eq(db.t.plans.id, planId)));
  if (!row) throw new Error(`bench: no plan ${planId}`);
  return row.org;
}

/**
 * A scratch database beside the one DATABASE_URL names, for the import measurement (a fresh store each
 * time, as on SQLite). Needs a role that may CREATE DATABASE; BENCH_IMPORT=0 skips the measurement.
 */
export async function scratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `rpl_bench_import_${process.pid}_${Date.now().toString(36)}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  try {
    await admin(`CREATE DATABASE ${name}`);
  } catch (e) {
    throw new Error(`bench import on PostgreSQL needs a role that may CREATE DATABASE (or BENCH_IMPORT=0): ${(e as Error).message}`);
  }
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return { url: scratch.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
