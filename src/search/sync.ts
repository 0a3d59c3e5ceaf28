import type { Store } from '../../db/runtime.js';
import type { Logger } from '../logger.js';
import { illFormedAt } from '../plans/core/text.js';
import { buildSearchDoc, searchDocFormat, type SearchDoc } from './document.js';
import type { FallbackStore } from './fallback.js';
import { MeiliTaskFailed, type MeiliIndex } from './meili-index.js';
import * as outbox from './outbox-store.js';
import type { SourceRow } from './outbox-store.js';
import type { IndexFeed } from './overlay.js';

// Stored as text on SQLite (read raw, so a corrupt record fails alone), as parsed jsonb on PostgreSQL.
const parsed = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

const docOf = (r: SourceRow): SearchDoc =>
  buildSearchDoc({
    planId: r.id,
    externalRef: r.externalRef,
    owningOrg: r.owningOrg,
    subject: parsed(r.subject),
    locations: parsed(r.locations),
  });

export type IndexSyncOptions = {
  db: Store;
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

const BATCH = 200;
const backoffMs = (attempts: number) => Math.min(30_000, 250 * 2 ** Math.min(attempts, 7));

/**
 * Pushes `search_outbox` rows to the fallback (in the database: it fails only when the database does)
 * and to Meilisearch. Each row only names a plan: the worker re-reads the plan's current published version,
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
  const due = outbox.dueRows(db);

  /** Set aside, with the reason (never the content), and say so in the log. */
  async function park(rows: { id: number; planId: string }[], reason: string) {
    if (!rows.length) return;
    await outbox.park(db, rows.map((r) => r.id), new Date().toISOString(), reason);
    for (const r of rows) logger.warn({ outboxId: r.id, planId: r.planId, reason }, 'search document parked: not indexed until the plan changes or is retried');
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
  async function stage(rows: { planId: string }[]) {
    const planIds = [...new Set(rows.map((r) => r.planId))];
    // One transaction reads the plans and writes the fallback: of two stagings at once (a nudge and a
    // pass), neither can write a document older than the one it read.
    const staged = await outbox.withSources(db, planIds, function* (q, sources) {
      const upserts: SearchDoc[] = [];
      const deletes: string[] = [];
      const refused: { planId: string; reason: string }[] = [];
      for (const id of planIds) {
        const row = sources.get(id);
        if (!row) {
          deletes.push(id);
          continue;
        }
        const built = buildDoc(row);
        if ('reason' in built) refused.push({ planId: id, reason: built.reason });
        else upserts.push(built.doc);
      }
      yield* fallback.write(q, upserts, deletes);
      return { upserts, deletes, refused };
    });
    if (meili) opts.feed?.sending(staged.upserts, staged.deletes);
    return staged;
  }

  /** One pass over what is due; returns how many outbox rows it completed. */
  async function pass(): Promise<number> {
    const now = new Date();
    let rows = await due(now.toISOString(), BATCH);
    const handled = rows.length;
    if (!handled) return 0;
    const { upserts, deletes, refused } = await stage(rows);
    const setAside = async (planId: string, reason: string) => {
      const aside = rows.filter((r) => r.planId === planId);
      rows = rows.filter((r) => r.planId !== planId);
      await park(aside, reason);
    };
    for (const r of refused) await setAside(r.planId, r.reason);
    try {
      if (meili) {
        const rejected = await upsertIsolating(upserts);
        await meili.remove(deletes);
        opts.feed?.confirmed(upserts, deletes);
        // The fallback keeps its copy (it took it); Meilisearch keeps whatever it had for these plans.
        for (const r of rejected) await setAside(r.doc.id, `refused by meilisearch: ${r.code}`);
      }
      const settled = [...new Set(rows.map((r) => r.planId))];
      await outbox.markDone(db, new Date().toISOString(), rows.map((r) => r.id), settled);
      // Parked rows count as handled: no later pass picks them up again.
      return handled;
    } catch (e) {
      opts.feed?.meiliFailed();
      const message = (e as Error).message.slice(0, 300);
      logger.warn({ rows: rows.length, err: (e as Error).name }, 'index sync to meilisearch failed; will retry');
      const retries = rows.map((r) => ({ id: r.id, attempts: r.attempts + 1, nextAttemptAt: new Date(Date.now() + backoffMs(r.attempts)).toISOString() }));
      await outbox.markFailed(db, retries, message);
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
    const upTo = await outbox.newestId(db);
    const rows = await outbox.allSources(db);
    await fallback.clear();
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
      await fallback.putAll(docs);
      if (meili) for (const r of await upsertIsolating(docs)) refused.push({ planId: r.doc.id, reason: `refused by meilisearch: ${r.code}` });
      onProgress?.(Math.min(i + 500, rows.length), rows.length);
    }
    await outbox.finishRebuild(db, new Date().toISOString(), upTo, refused);
    for (const r of refused) logger.warn({ planId: r.planId, reason: r.reason }, 'search document parked: not indexed until the plan changes or is retried');
    // Without Meilisearch only the fallback was rebuilt: the old format stays recorded, so the next start
    // with Meilisearch rebuilds that too.
    if (meili) await outbox.recordIndexFormat(db, searchDocFormat(), new Date().toISOString());
    return { indexed: rows.length - refused.length, parked: refused.length };
  }

  /**
   * Start-up: anything the outbox still holds is replayed; if Meilisearch or the fallback hold a
   * different number of plans than the database (lost data dir, restored backup), rebuild both.
   */
  async function reconcile() {
    const published = await outbox.publishedCount(db);
    const meiliCount = meili ? (await meili.client.index('plans').getStats()).numberOfDocuments : published;
    const format = searchDocFormat();
    const built = await outbox.indexFormat(db);
    const fallbackCount = await fallback.count();
    // A plan with a parked document may be missing from either copy, on purpose (or there in an older form).
    const parkedPublished = await outbox.parkedPublishedCount(db);
    const inStep = (n: number) => n <= published && n >= published - parkedPublished;
    if (!inStep(meiliCount) || !inStep(fallbackCount) || built !== format) {
      logger.info({ published, meiliCount, fallback: fallbackCount, formatChanged: built !== format }, 'search index out of step: rebuilding');
      await rebuild();
    }
    await drain();
  }

  return {
    drain,
    rebuild,
    reconcile,
    /** Rows waiting to be indexed (parked ones are not waiting: see `parked`). */
    pending: () => outbox.waitingCount(db),
    /** How many rows are parked (their plans' documents could not be indexed). */
    parked: () => outbox.parkedCount(db),
    parkedRows: () => outbox.parkedRows(db),
    /** After a fix (a new release, a repaired record): every parked row is tried again by the worker. */
    retryParked: () => outbox.unparkAll(db, new Date().toISOString()),
    /** After an outage: retry everything pending now, not at its back-off time; true when none is left. */
    async catchUp(): Promise<boolean> {
      await outbox.retryAllNow(db, new Date().toISOString());
      await drain();
      return (await outbox.waitingCount(db)) === 0;
    },
    /**
     * Something was just published or withdrawn here. A pass may be waiting on Meilisearch (up to seconds
     * here) and the new row would wait behind it, so stage what is due now; the pass sends it after.
     * Resolves once staged; never rejects (it runs inside the approve and withdraw requests, and the
     * worker's pass stages the rows again anyway).
     */
    async nudge(): Promise<void> {
      const staging = running ? due(new Date().toISOString(), BATCH).then(stage) : undefined;
      void drain().catch(() => undefined);
      await staging?.catch((e) => logger.warn({ err: (e as Error).name }, 'staging a nudged index change failed; the worker retries it'));
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
