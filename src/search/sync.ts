import type { Db } from '../../db/index.js';
import type { Logger } from '../logger.js';
import { illFormedAt } from '../plans/core/text.js';
import { buildSearchDoc, searchDocFormat, type SearchDoc } from './document.js';
import type { FallbackStore } from './fallback.js';
import { MeiliTaskFailed, type MeiliIndex } from './meili-index.js';
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

/**
 * A plan's document, or why it cannot have one. A stored record that will not parse (a corrupt row, an
 * old shape) or holds ill-formed text (a lone surrogate: Meilisearch fails the whole batch with it) is
 * refused here, so it is never sent. The reason names a field at most, never its content.
 */
function buildDoc(r: SourceRow): { doc: SearchDoc } | { reason: string } {
  let doc: SearchDoc;
  try {
    doc = docOf(r);
  } catch (e) {
    return { reason: `unreadable record (${(e as Error).name})` };
  }
  const at = illFormedAt(doc);
  return at ? { reason: `ill-formed text in ${at.join('.')}` } : { doc };
}

export type ParkedRow = { id: number; planId: string; createdAt: string; parkedAt: string; reason: string | null };

const BATCH = 200;
const backoffMs = (attempts: number) => Math.min(30_000, 250 * 2 ** Math.min(attempts, 7));

/**
 * Pushes `search_outbox` rows to the fallback (SQLite, same process, cannot fail apart from the DB) and
 * to Meilisearch. Each row only names a plan: the worker re-reads the plan's current published version,
 * so replays and duplicates are harmless. Failed rows are retried with back-off.
 *
 * One plan's document must never hold up everyone's search: a document that cannot be built, or that
 * Meilisearch refuses while it still indexes others, is parked (its row set aside with the reason,
 * counted on /healthz and in metrics, listed by `cli search-parked`) and the rest are indexed. Only a
 * Meilisearch that cannot write at all (or cannot be reached) degrades search. A parked row is settled
 * by the plan's next change, by `cli reindex`, or retried by `cli search-parked --retry`.
 */
export function createIndexSync(opts: IndexSyncOptions) {
  const { db, fallback, meili, logger } = opts;
  const sql = db.$client;
  const due = sql.prepare<[string, number], { id: number; plan_id: string; attempts: number }>(
    `SELECT id, plan_id, attempts FROM search_outbox WHERE done_at IS NULL AND parked_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?`,
  );
  const source = sql.prepare<[string], SourceRow>(`${SOURCE_SQL} AND p.id = ?`);
  const markDone = sql.prepare<[string, number]>('UPDATE search_outbox SET done_at = ?, last_error = NULL WHERE id = ?');
  const markFailed = sql.prepare<[number, string, string, number]>(
    'UPDATE search_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?',
  );
  const retryAll = sql.prepare<[string]>('UPDATE search_outbox SET next_attempt_at = ? WHERE done_at IS NULL AND parked_at IS NULL');
  const pendingCount = sql.prepare<[], { n: number }>('SELECT count(*) AS n FROM search_outbox WHERE done_at IS NULL AND parked_at IS NULL');
  const parkRow = sql.prepare<[string, string, number]>('UPDATE search_outbox SET parked_at = ?, last_error = ? WHERE id = ?');
  const parkNew = sql.prepare<[string, string, string, string, string]>(
    'INSERT INTO search_outbox (plan_id, created_at, next_attempt_at, parked_at, last_error) VALUES (?, ?, ?, ?, ?)',
  );
  /** The plan has just been indexed (or removed) as it now is: what was parked for it is settled. */
  const settleParked = sql.prepare<[string, string]>('UPDATE search_outbox SET done_at = ? WHERE plan_id = ? AND parked_at IS NOT NULL AND done_at IS NULL');
  const parkedCount = sql.prepare<[], { n: number }>('SELECT count(*) AS n FROM search_outbox WHERE parked_at IS NOT NULL AND done_at IS NULL');
  const parkedRows = sql.prepare<[], ParkedRow>(
    'SELECT id, plan_id AS planId, created_at AS createdAt, parked_at AS parkedAt, last_error AS reason FROM search_outbox WHERE parked_at IS NOT NULL AND done_at IS NULL ORDER BY id',
  );
  const unpark = sql.prepare<[string]>('UPDATE search_outbox SET parked_at = NULL, attempts = 0, next_attempt_at = ? WHERE parked_at IS NOT NULL AND done_at IS NULL');
  /** Published plans with something parked: they may be missing from the index on purpose. */
  const parkedPublished = sql.prepare<[], { n: number }>(
    `SELECT count(DISTINCT o.plan_id) AS n FROM search_outbox o JOIN (${SOURCE_SQL}) s ON s.id = o.plan_id WHERE o.parked_at IS NOT NULL AND o.done_at IS NULL`,
  );

  /** Set aside, with the reason (never the content), and say so in the log. */
  function park(rows: { id: number; plan_id: string }[], reason: string) {
    const at = new Date().toISOString();
    sql.transaction(() => rows.forEach((r) => parkRow.run(at, reason, r.id)))();
    for (const r of rows) logger.warn({ outboxId: r.id, planId: r.plan_id, reason }, 'search document parked: not indexed until the plan changes or is retried');
  }

  /**
   * Sends the documents; when Meilisearch fails the batch, finds the documents it refuses by halves, and
   * returns them with its error code. Throws when Meilisearch cannot be written to at all.
   */
  async function upsertIsolating(docs: SearchDoc[], probed = false): Promise<{ doc: SearchDoc; code: string }[]> {
    try {
      await meili!.upsert(docs);
      return [];
    } catch (e) {
      if (!(e instanceof MeiliTaskFailed)) throw e;
      // A disk-full or broken Meilisearch fails every write: that is an outage, not a bad document.
      if (!probed && !(await meili!.canWrite())) throw e;
      if (docs.length === 1) return [{ doc: docs[0]!, code: e.code }];
      const half = Math.ceil(docs.length / 2);
      return [...(await upsertIsolating(docs.slice(0, half), true)), ...(await upsertIsolating(docs.slice(half), true))];
    }
  }
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
    const refused: { planId: string; reason: string }[] = [];
    // IMMEDIATE: this reads the plans, then writes the fallback. A deferred transaction that another
    // connection (the access-log writer) writes under between the two fails at once with SQLITE_BUSY,
    // busy_timeout or not; taking the write lock first waits for it instead. `nudge` runs this inside
    // the approve and withdraw requests, so it must not throw there (the eval's publishes hit it).
    sql.transaction(() => {
      for (const id of planIds) {
        const row = source.get(id);
        if (row) {
          const built = buildDoc(row);
          if ('reason' in built) {
            refused.push({ planId: id, reason: built.reason });
            continue;
          }
          upserts.push(built.doc);
          fallback.upsert(built.doc);
        } else {
          deletes.push(id);
          fallback.remove(id);
        }
      }
    }).immediate();
    if (meili) opts.feed?.sending(upserts, deletes);
    return { upserts, deletes, refused };
  }

  /** One pass over what is due; returns how many outbox rows it completed. */
  async function pass(): Promise<number> {
    const now = new Date();
    let rows = due.all(now.toISOString(), BATCH);
    const handled = rows.length;
    if (!handled) return 0;
    const { upserts, deletes, refused } = stage(rows);
    const setAside = (planId: string, reason: string) => {
      park(rows.filter((r) => r.plan_id === planId), reason);
      rows = rows.filter((r) => r.plan_id !== planId);
    };
    for (const r of refused) setAside(r.planId, r.reason);
    try {
      if (meili) {
        const rejected = await upsertIsolating(upserts);
        await meili.remove(deletes);
        opts.feed?.confirmed(upserts, deletes);
        // The fallback keeps its copy (it took it); Meilisearch keeps whatever it had for these plans.
        for (const r of rejected) setAside(r.doc.id, `refused by meilisearch: ${r.code}`);
      }
      const at = new Date().toISOString();
      const settled = new Set(rows.map((r) => r.plan_id));
      sql.transaction(() => {
        rows.forEach((r) => markDone.run(at, r.id));
        settled.forEach((planId) => settleParked.run(at, planId));
      })();
      // Parked rows count as handled: no later pass picks them up again.
      return handled;
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
    // A rebuild tries every plan again, parked ones too; those still refused are parked anew below.
    const refused: { planId: string; reason: string }[] = [];
    for (let i = 0; i < rows.length; i += 500) {
      const docs: SearchDoc[] = [];
      for (const r of rows.slice(i, i + 500)) {
        const built = buildDoc(r);
        if ('doc' in built) docs.push(built.doc);
        else refused.push({ planId: r.id, reason: built.reason });
      }
      sql.transaction(() => docs.forEach((d) => fallback.upsert(d)))();
      if (meili) for (const r of await upsertIsolating(docs)) refused.push({ planId: r.doc.id, reason: `refused by meilisearch: ${r.code}` });
      onProgress?.(Math.min(i + 500, rows.length), rows.length);
    }
    const at = new Date().toISOString();
    sql.transaction(() => {
      sql.prepare('UPDATE search_outbox SET done_at = ? WHERE done_at IS NULL AND id <= ?').run(at, upTo);
      for (const r of refused) parkNew.run(r.planId, at, at, at, r.reason);
    })();
    for (const r of refused) logger.warn({ planId: r.planId, reason: r.reason }, 'search document parked: not indexed until the plan changes or is retried');
    // Without Meilisearch only the fallback was rebuilt: the old format stays recorded, so the next start
    // with Meilisearch rebuilds that too.
    if (meili) {
      sql
        .prepare('INSERT INTO search_index_state (id, format, built_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET format = excluded.format, built_at = excluded.built_at')
        .run(searchDocFormat(), new Date().toISOString());
    }
    return { indexed: rows.length - refused.length, parked: refused.length };
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
    // A plan with a parked document may be missing from either copy, on purpose (or there in an older form).
    const inStep = (n: number) => n <= published && n >= published - parkedPublished.get()!.n;
    if (!inStep(meiliCount) || !inStep(fallback.count()) || built !== format) {
      logger.info({ published, meiliCount, fallback: fallback.count(), formatChanged: built !== format }, 'search index out of step: rebuilding');
      await rebuild();
    }
    await drain();
  }

  return {
    drain,
    rebuild,
    reconcile,
    /** Rows waiting to be indexed (parked ones are not waiting: see `parked`). */
    pending: () => pendingCount.get()!.n,
    /** How many rows are parked (their plans' documents could not be indexed). */
    parked: () => parkedCount.get()!.n,
    parkedRows: () => parkedRows.all(),
    /** After a fix (a new release, a repaired record): every parked row is tried again by the worker. */
    retryParked: () => unpark.run(new Date().toISOString()).changes,
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
