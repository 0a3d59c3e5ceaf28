import { randomUUID } from 'node:crypto';
import type { Store } from '../../db/runtime.js';
import type { Logger } from '../logger.js';
import { illFormedAt } from '../plans/core/text.js';
import { buildSearchDoc, searchDocFormat, type SearchDoc } from './document.js';
import type { FallbackStore } from './fallback.js';
import { MeiliTaskFailed, type MeiliIndex } from './meili-index.js';
import * as log from './outbox-store.js';
import type { Cursor, Entry, Parking, SourceRow } from './outbox-store.js';
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

/** The database's copy of the index: one for every node, so one cursor. */
export const FALLBACK = 'fallback';

/** Which cursor a Meilisearch index consumes the log with (index.ts `meiliConsumer`). */
export type MeiliConsumer = {
  /** The index's identity (search_cursors.consumer). */
  key: string;
  /** Several nodes write it (an external MEILI_URL): one at a time, holding the cursor's row. */
  shared: boolean;
};

export type IndexSyncOptions = {
  db: Store;
  fallback: FallbackStore;
  meili?: MeiliIndex;
  /** Required with `meili`. */
  consumer?: MeiliConsumer;
  logger: Logger;
  /** Poll interval; `nudge()` runs a pass at once. */
  pollMs?: number;
  /** Told what is being sent to Meilisearch, when it has been applied, and when a write failed. */
  feed?: IndexFeed;
  /** The fallback was just written here (the keys in process read it now rather than at their next poll). */
  onFallbackWritten?: () => Promise<void>;
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
const REBUILD_BATCH = 500;
const backoffMs = (attempts: number) => Math.min(30_000, 250 * 2 ** Math.min(attempts, 7));
/** Ready (for a load balancer) once within this many entries of the log's head after starting. */
export const READY_LAG = 20;
/** How long a node holds a shared index's cursor between renewals (each pass renews it). */
const HOLD_MS = 30_000;
/**
 * Pruning, every minute on each node: an entry goes once every cursor has passed it, and a cursor that no
 * node has worked for a week stops counting (it is dropped: its index rebuilds if it ever comes back).
 */
export const UNSEEN_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_MS = 60_000;
const SEEN_EVERY_MS = 60_000;

/** The latest entry of each plan among `entries`. */
const latestOf = (entries: Entry[]) => {
  const m = new Map<string, number>();
  for (const e of entries) m.set(e.planId, Math.max(m.get(e.planId) ?? 0, e.id));
  return m;
};

/**
 * Applies the search change log (`search_outbox`) to this node's indexes, each from its own cursor
 * (`search_cursors`): the fallback in the database (one for all nodes) and this node's Meilisearch (its
 * own, or one shared by all nodes through MEILI_URL, written by one node at a time). An entry only names a
 * plan: applying it re-reads the plan's current published version, so an entry applied twice, by two
 * nodes or after a crash, is harmless, and entries are applied in log order, so a withdrawal is never
 * overtaken by the publish before it. An index without a cursor (new, or its data lost), built in another
 * document format, behind what the log still holds, or holding a different number of plans than the
 * database once caught up, is rebuilt from the plans. A Meilisearch that fails is retried with back-off
 * from its cursor; the fallback goes on meanwhile.
 *
 * One plan's document must never hold up everyone's search: a document that cannot be built, or that
 * Meilisearch refuses while it still indexes others, is parked (`search_parked`, with the reason; counted
 * on /healthz and in metrics, listed by `cli search-parked`) and the cursor moves on. A parked plan is
 * settled by its next change, by `cli reindex`, or retried by `cli search-parked --retry`.
 */
export function createIndexSync(opts: IndexSyncOptions) {
  const { db, fallback, meili, logger } = opts;
  const consumer = meili ? opts.consumer : undefined;
  if (meili && !consumer) throw new Error('a Meilisearch index needs its consumer (its cursor key)');
  const after = log.entriesAfter(db);
  const keys = consumer ? [FALLBACK, consumer.key] : [FALLBACK];
  /** This process, as the holder of a shared index. */
  const holder = randomUUID();
  const format = searchDocFormat();

  let meiliAttempts = 0;
  let meiliRetryAt = 0;
  /** The newest entry a nudge has staged while a pass was busy. */
  let stagedThrough = 0;
  let ready = false;
  let markReady: () => void;
  const whenReady = new Promise<void>((r) => (markReady = r));
  const appliedListeners = new Set<(entries: Entry[], at: number) => void>();
  /** For tests and the start-up log: how much work each start took. */
  const counters = { rebuilds: 0, documentsSent: 0, entriesApplied: 0 };
  let lastSeen = 0;
  let lastPrune = 0;

  /** Park `rows` (with the reason, never the content), and say so in the log. */
  async function park(rows: Parking[]) {
    if (!rows.length) return;
    await log.park(db, rows, new Date().toISOString());
    for (const r of rows)
      logger.warn(
        { position: r.position, planId: r.planId, reason: r.reason },
        'search document parked: not indexed until the plan changes or is retried',
      );
  }

  /**
   * Sends the documents; when Meilisearch fails the batch, finds the documents it refuses by halves, and
   * returns them with its error code. Throws when Meilisearch cannot be written to at all.
   */
  async function upsertIsolating(docs: SearchDoc[], probed = false): Promise<{ doc: SearchDoc; code: string }[]> {
    try {
      await meili!.upsert(docs);
      counters.documentsSent += docs.length;
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

  const stale = (c: Cursor | undefined, floor: number, head: number) =>
    !c || c.position < floor || c.position > head || c.format !== format;

  /** Until when this process holds a shared index (renewed once half of it has run). */
  let heldUntil = 0;
  /** Whether this node writes its Meilisearch now: its own always; a shared one while it holds it. */
  async function mayWriteMeili(): Promise<boolean> {
    if (!consumer) return false;
    if (!consumer.shared) return true;
    const now = Date.now();
    if (heldUntil - now > HOLD_MS / 2) return true;
    const held = await log.hold(db, consumer.key, holder, new Date(now + HOLD_MS).toISOString(), new Date(now).toISOString());
    heldUntil = held ? now + HOLD_MS : 0;
    return held;
  }

  /**
   * In one transaction under the fallback's lock: the fallback gets the current state of the plans of
   * entries past its own cursor, which moves to the batch's end; and the documents of the plans of entries
   * past `meiliFrom` are returned for Meilisearch (and handed to searches here through the feed).
   */
  async function stage(entries: Entry[], meiliFrom: number) {
    const planIds = [...latestOf(entries).keys()];
    const last = entries.at(-1)!.id;
    const at = new Date().toISOString();
    const staged = await log.withSources(db, planIds, function* (q, sources) {
      const fAt = (yield* log.cursorIn(q, db.t, FALLBACK)) ?? log.UNBUILT;
      // An unbuilt fallback is left to its rebuild.
      const forFallback = fAt > log.UNBUILT ? latestOf(entries.filter((e) => e.id > fAt)) : new Map<string, number>();
      const forMeili = latestOf(entries.filter((e) => e.id > meiliFrom));
      const upserts: SearchDoc[] = [];
      const deletes: string[] = [];
      const refused: Parking[] = [];
      const fallbackPut: SearchDoc[] = [];
      const fallbackDrop: string[] = [];
      const applied = new Map<string, number>();
      for (const id of planIds) {
        if (!forFallback.has(id) && !forMeili.has(id)) continue;
        const row = sources.get(id);
        const built = row ? buildDoc(row) : undefined;
        if (built && 'reason' in built) {
          refused.push({ planId: id, position: Math.max(forFallback.get(id) ?? 0, forMeili.get(id) ?? 0), reason: built.reason });
          continue;
        }
        if (forFallback.has(id)) {
          if (built) fallbackPut.push(built.doc);
          else fallbackDrop.push(id);
          applied.set(id, forFallback.get(id)!);
        }
        if (forMeili.has(id)) {
          if (built) upserts.push(built.doc);
          else deletes.push(id);
        }
      }
      yield* fallback.write(q, fallbackPut, fallbackDrop);
      if (forFallback.size && last > fAt) yield* log.advanceIn(q, db.t, FALLBACK, last, at);
      yield* log.parkIn(q, db.t, refused, at);
      yield* log.settleIn(q, db.t, applied);
      return { upserts, deletes, refused, fallbackApplied: forFallback.size > 0 };
    });
    if (meili) opts.feed?.sending(staged.upserts, staged.deletes);
    if (staged.fallbackApplied) await opts.onFallbackWritten?.();
    stagedThrough = Math.max(stagedThrough, last);
    for (const r of staged.refused)
      logger.warn(
        { position: r.position, planId: r.planId, reason: r.reason },
        'search document parked: not indexed until the plan changes or is retried',
      );
    return staged;
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = true;
  /** Set by stop(): a start-up rebuild stops between batches. */
  let halted = false;
  /** Whether the cursors have been looked at since this started (or were found gone mid-run). */
  let checked = false;

  const emitApplied = (entries: Entry[]) => {
    counters.entriesApplied += entries.length;
    if (appliedListeners.size) for (const l of appliedListeners) l(entries, Date.now());
  };

  /** One pass: the next batch past the slowest of this node's cursors. Returns how many entries it applied. */
  async function pass(): Promise<number> {
    if (!checked) {
      checked = true;
      await rebuildStale();
    }
    const backingOff = meili !== undefined && Date.now() < meiliRetryAt;
    const writeMeili = meili !== undefined && !backingOff && (await mayWriteMeili());
    const rows = await log.cursors(db, keys);
    const f = rows.find((r) => r.consumer === FALLBACK);
    const m = consumer && rows.find((r) => r.consumer === consumer.key);
    if (!f || f.position === log.UNBUILT || (writeMeili && (!m || m.position === log.UNBUILT))) {
      // Gone (pruned as unseen) or never built: rebuilt at the next pass.
      checked = false;
      return 0;
    }
    const meiliFrom = writeMeili ? m!.position : Infinity;
    const from = Math.min(f.position, meiliFrom);
    stagedThrough = Math.max(stagedThrough, from);
    const entries = await after(from, BATCH);
    const small = entries.length < READY_LAG;
    /** This node's Meilisearch is shared and another node writes it: ready when that one keeps up. */
    const following = async () =>
      consumer?.shared &&
      !backingOff &&
      !writeMeili &&
      m &&
      m.position !== log.UNBUILT &&
      (await log.behind(db, m.position)).n <= READY_LAG;
    if (!entries.length) {
      if (!consumer || writeMeili || (await following())) setReady();
      await upkeep();
      return 0;
    }
    const staged = await stage(entries, meiliFrom);
    const last = entries.at(-1)!.id;
    if (!consumer || !writeMeili || meiliFrom >= last) {
      if (!consumer && staged.fallbackApplied) emitApplied(entries.filter((e) => e.id > f.position));
      if (small && (!consumer || writeMeili || (await following()))) setReady();
      return entries.length;
    }
    const mine = entries.filter((e) => e.id > meiliFrom);
    const { upserts, deletes } = staged;
    try {
      const rejected = await upsertIsolating(upserts);
      await meili!.remove(deletes);
      counters.documentsSent += deletes.length;
      opts.feed?.confirmed(upserts, deletes);
      meiliAttempts = 0;
      const latest = latestOf(mine);
      // The fallback keeps its copy (it took it); Meilisearch keeps whatever it had for these plans.
      await park(rejected.map((r) => ({ planId: r.doc.id, position: latest.get(r.doc.id)!, reason: `refused by meilisearch: ${r.code}` })));
      const refused = new Set([...rejected.map((r) => r.doc.id), ...staged.refused.map((r) => r.planId)]);
      await log.settle(db, new Map([...latest].filter(([id]) => !refused.has(id))));
      const moved = await log.advance(db, consumer.key, last, new Date().toISOString(), consumer.shared ? holder : undefined);
      if (moved === 0) {
        if (consumer.shared) {
          // Another node took the index over while this one wrote: what we sent may have landed after its
          // writes, so the entries go again (harmless) rather than leave an older document in place.
          logger.warn('shared search index taken over by another node mid-batch: its entries are applied again');
          heldUntil = 0;
          await log.rewind(db, consumer.key, meiliFrom);
        } else checked = false;
        return 0;
      }
      emitApplied(mine);
      if (small) setReady();
      return entries.length;
    } catch (e) {
      opts.feed?.meiliFailed();
      meiliRetryAt = Date.now() + backoffMs(meiliAttempts++);
      logger.warn({ entries: mine.length, err: (e as Error).name }, 'index sync to meilisearch failed; will retry');
      return 0;
    }
  }

  /** Nothing to apply: this node's cursors are seen (so they hold the log), and the log is pruned. */
  async function upkeep() {
    const now = Date.now();
    if (now - lastSeen > SEEN_EVERY_MS) {
      lastSeen = now;
      await log.seen(db, keys, new Date(now).toISOString());
    }
    if (now - lastPrune > PRUNE_EVERY_MS) {
      lastPrune = now;
      await pruneNow(now);
    }
  }

  async function pruneNow(now = Date.now()) {
    const gone = await log.prune(db, new Date(now - UNSEEN_MS).toISOString(), new Date(now).toISOString());
    if (gone) logger.debug({ entries: gone }, 'search change log pruned');
    return gone;
  }

  function setReady() {
    if (ready) return;
    ready = true;
    markReady();
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

  /**
   * Every published plan, in batches, into the fallback and/or Meilisearch; their cursors then stand at
   * the log's head as read before the first plan was: later entries are applied over it (harmless).
   */
  async function rebuildFor(what: { fallback: boolean; meili: boolean }, onProgress?: (done: number, total: number) => void) {
    counters.rebuilds++;
    const { head } = await log.logBounds(db);
    const ids = await log.publishedIds(db);
    if (what.fallback) await fallback.clear();
    if (what.meili) await meili!.clear();
    // A rebuild tries every plan again, parked ones too; those still refused are parked anew below.
    const refused: Parking[] = [];
    let indexed = 0;
    for (let i = 0; i < ids.length; i += REBUILD_BATCH) {
      if (halted && rebuildAbortable) throw new Error('search stopped during a rebuild');
      const chunk = ids.slice(i, i + REBUILD_BATCH);
      const build = (rows: Iterable<SourceRow>) => {
        const docs: SearchDoc[] = [];
        for (const r of rows) {
          const built = buildDoc(r);
          if ('doc' in built) docs.push(built.doc);
          else refused.push({ planId: r.id, position: head, reason: built.reason });
        }
        return docs;
      };
      // The fallback's batch reads its plans under the fallback's lock, as staging does (withSources).
      const docs = what.fallback
        ? await log.withSources(db, chunk, function* (q, sources) {
            const docs = build(sources.values());
            yield* fallback.write(q, docs, []);
            return docs;
          })
        : build(await log.sourcesOf(db, chunk));
      indexed += docs.length;
      if (what.meili) {
        for (const r of await upsertIsolating(docs)) {
          refused.push({ planId: r.doc.id, position: head, reason: `refused by meilisearch: ${r.code}` });
          indexed--;
        }
        if (consumer!.shared && !(await mayWriteMeili()))
          throw new Error('shared search index taken over by another node during a rebuild');
      }
      onProgress?.(Math.min(i + REBUILD_BATCH, ids.length), ids.length);
    }
    const at = new Date().toISOString();
    if (what.fallback) await log.recordBuilt(db, FALLBACK, head, format, at);
    if (what.meili) await log.recordBuilt(db, consumer!.key, head, format, at);
    // Only a rebuild of every index this node has settles what was parked (another index's refusal stays).
    if (what.meili || !consumer) await log.settleRebuilt(db, head, refused, at);
    else
      await log.park(
        db,
        refused.filter((r) => !r.reason.startsWith('refused by meilisearch')),
        at,
      );
    for (const r of refused)
      logger.warn({ planId: r.planId, reason: r.reason }, 'search document parked: not indexed until the plan changes or is retried');
    return { indexed, parked: refused.length };
  }
  /** A start-up rebuild stops with the service; `cli reindex` runs to the end. */
  let rebuildAbortable = false;
  /** Nudges wait for the start-up's rebuild or catch-up (the worker has not started yet). */
  let reconciling = false;

  /** Rebuilds whichever of this node's indexes has no usable cursor. */
  async function rebuildStale() {
    const at = new Date().toISOString();
    for (const k of keys) await log.ensureCursor(db, k, at);
    const writeMeili = await mayWriteMeili();
    const { head, floor } = await log.logBounds(db);
    const rows = await log.cursors(db, keys);
    const f = stale(
      rows.find((r) => r.consumer === FALLBACK),
      floor,
      head,
    );
    const m =
      writeMeili &&
      stale(
        rows.find((r) => r.consumer === consumer!.key),
        floor,
        head,
      );
    if (f || m) {
      logger.info(
        { fallback: f, meilisearch: m },
        'search index has no usable cursor (new, another format, or behind the pruned log): rebuilding',
      );
      await rebuildFor({ fallback: f, meili: m });
    }
  }

  /**
   * Start-up: an index without a usable cursor is rebuilt, the others catch up from their cursors; then
   * each must hold as many plans as the database says (allowing for entries still arriving and parked
   * plans), or it is rebuilt (a Meilisearch emptied under us, a restored backup).
   */
  async function reconcile() {
    rebuildAbortable = true;
    reconciling = true;
    try {
      checked = true;
      await rebuildStale();
      await drain();
      const published = await log.publishedCount(db);
      const parkedPublished = await log.parkedPublishedCount(db);
      const rows = await log.cursors(db, keys);
      const inStep = async (n: number, c: Cursor | undefined) => {
        const lag = c ? (await log.behind(db, c.position)).n : 0;
        return n <= published + lag && n >= published - parkedPublished - lag;
      };
      const fOut = !(await inStep(
        await fallback.count(),
        rows.find((r) => r.consumer === FALLBACK),
      ));
      const writeMeili = await mayWriteMeili();
      const mOut =
        writeMeili &&
        !(await inStep(
          await meili!.count(),
          rows.find((r) => r.consumer === consumer!.key),
        ));
      if (fOut || mOut) {
        logger.info({ published, fallback: fOut, meilisearch: mOut }, 'search index out of step with the database: rebuilding');
        await rebuildFor({ fallback: fOut, meili: mOut });
        await drain();
      }
    } finally {
      rebuildAbortable = false;
      reconciling = false;
    }
  }

  async function progress() {
    const rows = await log.cursors(db, keys);
    const positions = keys.map((k) => rows.find((r) => r.consumer === k)?.position ?? 0);
    return log.behind(db, Math.max(0, Math.min(...positions)));
  }

  return {
    /** The cursor this node's Meilisearch consumes the log with (absent without one). */
    indexKey: consumer?.key,
    drain,
    /** Every index of this node rebuilt from the plans (`cli reindex`). */
    rebuild: (onProgress?: (done: number, total: number) => void) => rebuildFor({ fallback: true, meili: meili !== undefined }, onProgress),
    reconcile,
    /** Log entries one of this node's indexes has still to apply (parked plans are not waiting). */
    pending: async () => (await progress()).n,
    /** How far behind this node's slowest index is, and the age of the oldest entry it has not applied. */
    progress,
    /** Prunes the log now (the worker does it every minute); how many entries went. */
    prune: () => pruneNow(),
    /** How many plans are parked (their documents could not be indexed). */
    parked: () => log.parkedCount(db),
    parkedRows: () => log.parkedRows(db),
    /** After a fix (a new release, a repaired record): every parked plan goes through the log again. */
    retryParked: () => log.retryParked(db, new Date().toISOString()),
    /**
     * Whether this node's indexes have caught up since it started (its first rebuild or catch-up done,
     * then within READY_LAG entries of the head). It stays true after: an import on another node must not
     * take every node out of rotation at once, and searches show staged changes meanwhile.
     */
    ready: () => ready,
    whenReady: () => whenReady,
    /** Told of each batch of entries this node's search index (Meilisearch, else the fallback) has applied. */
    onApplied(l: (entries: Entry[], at: number) => void) {
      appliedListeners.add(l);
    },
    counters: () => ({ ...counters }),
    /** After an outage: retry Meilisearch now, not at its back-off time; true when it has caught up. */
    async catchUp(): Promise<boolean> {
      meiliRetryAt = 0;
      await drain();
      if (!consumer) return true;
      const m = (await log.cursors(db, [consumer.key]))[0];
      return m !== undefined && (await log.behind(db, m.position)).n === 0;
    },
    /**
     * Something was just published or withdrawn here. A pass may be waiting on Meilisearch (up to seconds
     * here) and the new entry would wait behind it, so stage what is new now; the pass sends it after.
     * Resolves once staged; never rejects (it runs inside the approve and withdraw requests, and the
     * worker's pass stages the entries again anyway).
     */
    async nudge(): Promise<void> {
      if (reconciling) return;
      // Only what is newer than what was staged already; a shared index's feed is its writer's.
      const staging =
        running && stagedThrough > 0
          ? after(stagedThrough, BATCH).then(
              async (entries) => void (entries.length && (await stage(entries, consumer && !consumer.shared ? log.UNBUILT : Infinity))),
            )
          : undefined;
      void drain().catch(() => undefined);
      await staging?.catch((e) => logger.warn({ err: (e as Error).name }, 'staging a nudged index change failed; the worker retries it'));
    },
    start() {
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      halted = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
      if (consumer?.shared) await log.release(db, consumer.key, holder).catch(() => undefined);
    },
  };
}
export type IndexSync = ReturnType<typeof createIndexSync>;
