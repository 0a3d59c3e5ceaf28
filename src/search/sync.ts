import type { Db } from '../../db/index.js';
import type { Logger } from '../logger.js';
import { buildSearchDoc, searchDocFormat, type SearchDoc } from './document.js';
import type { FallbackStore } from './fallback.js';
import type { MeiliIndex } from './meili-index.js';
import type { IndexFeed } from './overlay.js';

type SourceRow = { id: string; external_ref: string; owning_org: string; subject: string; locations: string };

const SOURCE_SQL = `SELECT p.id, p.external_ref, p.owning_org, v.subject, v.locations
  FROM plans p JOIN plan_versions v ON v.id = p.current_version_id
  WHERE v.status = 'published' AND p.withdrawn_at IS NULL`;

const docOf = (r: SourceRow): SearchDoc =>
  buildSearchDoc({
    planId: r.id,
    externalRef: r.external_ref,
    owningOrg: r.owning_org,
    subject: JSON.parse(r.subject),
    locations: JSON.parse(r.locations),
  });

export type IndexSyncOptions = {
  db: Db;
  fallback: FallbackStore;
  meili?: MeiliIndex;
  logger: Logger;
  /** Poll interval; `nudge()` runs a pass at once. */
  pollMs?: number;
  /** Told what is being sent to Meilisearch, when it has been applied, and when a write failed. */
  feed?: IndexFeed;
};

const BATCH = 200;
const backoffMs = (attempts: number) => Math.min(30_000, 250 * 2 ** Math.min(attempts, 7));

/**
 * Pushes `search_outbox` rows to the fallback (SQLite, same process, cannot fail apart from the DB) and
 * to Meilisearch. Each row only names a plan: the worker re-reads the plan's current published version,
 * so replays and duplicates are harmless. Failed rows are retried with back-off.
 */
export function createIndexSync(opts: IndexSyncOptions) {
  const { db, fallback, meili, logger } = opts;
  const sql = db.$client;
  const due = sql.prepare<[string, number], { id: number; plan_id: string; attempts: number }>(
    `SELECT id, plan_id, attempts FROM search_outbox WHERE done_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?`,
  );
  const source = sql.prepare<[string], SourceRow>(`${SOURCE_SQL} AND p.id = ?`);
  const markDone = sql.prepare<[string, number]>('UPDATE search_outbox SET done_at = ?, last_error = NULL WHERE id = ?');
  const markFailed = sql.prepare<[number, string, string, number]>(
    'UPDATE search_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?',
  );
  const retryAll = sql.prepare<[string]>('UPDATE search_outbox SET next_attempt_at = ? WHERE done_at IS NULL');
  const pendingCount = sql.prepare<[], { n: number }>('SELECT count(*) AS n FROM search_outbox WHERE done_at IS NULL');
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = true;

  /**
   * The fallback gets the plans' current state at once, and searches are told what Meilisearch is about
   * to get. Idempotent: a row staged early by `nudge` is staged again by its pass.
   */
  function stage(rows: { plan_id: string }[]) {
    const planIds = [...new Set(rows.map((r) => r.plan_id))];
    const upserts: SearchDoc[] = [];
    const deletes: string[] = [];
    // IMMEDIATE: this reads the plans, then writes the fallback. A deferred transaction that another
    // connection (the access-log writer) writes under between the two fails at once with SQLITE_BUSY,
    // busy_timeout or not; taking the write lock first waits for it instead. `nudge` runs this inside
    // the approve and withdraw requests, so it must not throw there (the eval's publishes hit it).
    sql.transaction(() => {
      for (const id of planIds) {
        const row = source.get(id);
        if (row) {
          const doc = docOf(row);
          upserts.push(doc);
          fallback.upsert(doc);
        } else {
          deletes.push(id);
          fallback.remove(id);
        }
      }
    }).immediate();
    if (meili) opts.feed?.sending(upserts, deletes);
    return { upserts, deletes };
  }

  /** One pass over what is due; returns how many outbox rows it completed. */
  async function pass(): Promise<number> {
    const now = new Date();
    const rows = due.all(now.toISOString(), BATCH);
    if (!rows.length) return 0;
    const { upserts, deletes } = stage(rows);
    try {
      if (meili) {
        await meili.upsert(upserts);
        await meili.remove(deletes);
        opts.feed?.confirmed(upserts, deletes);
      }
      const at = new Date().toISOString();
      sql.transaction(() => rows.forEach((r) => markDone.run(at, r.id)))();
      return rows.length;
    } catch (e) {
      opts.feed?.meiliFailed();
      const message = (e as Error).message.slice(0, 300);
      logger.warn({ rows: rows.length, err: (e as Error).name }, 'index sync to meilisearch failed; will retry');
      sql.transaction(() =>
        rows.forEach((r) =>
          markFailed.run(r.attempts + 1, new Date(Date.now() + backoffMs(r.attempts)).toISOString(), message, r.id),
        ),
      )();
      return 0;
    }
  }

  /** Runs passes until nothing is due; concurrent calls share the run in progress. */
  function drain(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      try {
        do {
          again = false;
          let n: number;
          while ((n = await pass()) > 0) total += n;
        } while (again);
      } finally {
        running = undefined;
      }
      return total;
    })();
    return running;
  }

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      drain()
        .catch((e) => logger.error({ err: (e as Error).name }, 'index sync pass failed'))
        .finally(() => schedule(opts.pollMs ?? 100));
    }, ms);
    timer.unref();
  };

  /** Every published plan, in batches: for `cli reindex` and for a Meilisearch that lost its data. */
  async function rebuild(onProgress?: (done: number, total: number) => void) {
    // Only outbox rows written before this snapshot are covered by it; later ones stay for the worker.
    const upTo = sql.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM search_outbox').get()?.id ?? 0;
    const rows = sql.prepare<[], SourceRow>(SOURCE_SQL).all();
    fallback.clear();
    if (meili) await meili.clear();
    for (let i = 0; i < rows.length; i += 500) {
      const docs = rows.slice(i, i + 500).map(docOf);
      sql.transaction(() => docs.forEach((d) => fallback.upsert(d)))();
      if (meili) await meili.upsert(docs);
      onProgress?.(Math.min(i + 500, rows.length), rows.length);
    }
    sql.prepare('UPDATE search_outbox SET done_at = ? WHERE done_at IS NULL AND id <= ?').run(new Date().toISOString(), upTo);
    // Without Meilisearch only the fallback was rebuilt: the old format stays recorded, so the next start
    // with Meilisearch rebuilds that too.
    if (meili) {
      sql
        .prepare('INSERT INTO search_index_state (id, format, built_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET format = excluded.format, built_at = excluded.built_at')
        .run(searchDocFormat(), new Date().toISOString());
    }
    return rows.length;
  }

  /**
   * Start-up: anything the outbox still holds is replayed; if Meilisearch or the fallback hold a
   * different number of plans than the database (lost data dir, restored backup), rebuild both.
   */
  async function reconcile() {
    const published = sql.prepare<[], { n: number }>(`SELECT count(*) AS n FROM (${SOURCE_SQL})`).get()!.n;
    const meiliCount = meili ? (await meili.client.index('plans').getStats()).numberOfDocuments : published;
    const format = searchDocFormat();
    const built = sql.prepare<[], string>('SELECT format FROM search_index_state WHERE id = 1').pluck().get();
    if (meiliCount !== published || fallback.count() !== published || built !== format) {
      logger.info({ published, meiliCount, fallback: fallback.count(), formatChanged: built !== format }, 'search index out of step: rebuilding');
      await rebuild();
    }
    await drain();
  }

  return {
    drain,
    rebuild,
    reconcile,
    pending: () => pendingCount.get()!.n,
    /** After an outage: retry everything pending now, not at its back-off time; true when none is left. */
    async catchUp(): Promise<boolean> {
      retryAll.run(new Date().toISOString());
      await drain();
      return pendingCount.get()!.n === 0;
    },
    /**
     * Something was just published or withdrawn here. A pass may be waiting on Meilisearch (up to seconds
     * here) and the new row would wait behind it, so stage what is due now; the pass sends it after.
     */
    nudge() {
      if (running) stage(due.all(new Date().toISOString(), BATCH));
      void drain().catch(() => undefined);
    },
    start() {
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
export type IndexSync = ReturnType<typeof createIndexSync>;
