import type { Db } from '../../db/index.js';
import type { Logger } from '../logger.js';
import { createFallbackStore } from './fallback.js';
import { createKeyIndex, type KeyIndex } from './key-index.js';
import { startManagedMeili, type ManagedMeili } from './meili-process.js';
import { createMeiliIndex, type MeiliIndex } from './meili-index.js';
import { createIndexFeed, type IndexFeed } from './overlay.js';
import { createSearchService, type SearchService } from './service.js';
import { createIndexSync, type IndexSync } from './sync.js';

export type { SearchService } from './service.js';
export type { SearchOutcome, SearchResult } from './service.js';

export type SearchStartOptions = {
  db: Db;
  logger: Logger;
  dataDir: string;
  /** External Meilisearch (MEILI_URL + MEILI_KEY); otherwise a managed child process. */
  meiliUrl?: string;
  meiliKey?: string;
  meiliBin?: string;
  budgetMs?: number;
  /** Skip the start-up reconcile (tests that want to watch the outbox do the work). */
  reconcile?: boolean;
  /** Start the outbox worker (default on; `cli reindex` drives the sync itself). */
  worker?: boolean;
  /**
   * Return at once and bring the index up to date behind it (a node starting behind a load balancer):
   * searches answer from the fallback, and `searchReady()` is false, until it has caught up. Otherwise
   * (the default: the CLI, tests, the bench) resolve once the index has caught up.
   */
  background?: boolean;
};

export type SearchRuntime = {
  service: SearchService;
  sync: IndexSync;
  feed: IndexFeed;
  meili?: MeiliIndex;
  managed?: ManagedMeili;
  /**
   * Whether this node's search index has caught up since start (first rebuild or catch-up done, within a
   * few entries of the change log's head): for /readyz. Until then searches answer from the fallback.
   */
  searchReady: () => boolean;
  stop: () => Promise<void>;
};

/** Start-up in the background: the reconcile again after a failure (the database away a moment), then the worker. */
function bringUp(sync: IndexSync, opts: SearchStartOptions): Promise<void> {
  if (!opts.background)
    return (async () => {
      if (opts.reconcile !== false) await sync.reconcile();
      if (opts.worker !== false) sync.start();
    })();
  let stopped = false;
  const done = (async () => {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        await sync.reconcile();
        break;
      } catch (e) {
        if (stopped) return;
        opts.logger.error({ err: (e as Error).message }, 'search index start-up sync failed: retrying');
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** attempt)));
      }
    }
    if (!stopped) sync.start();
  })();
  const stopSync = sync.stop;
  sync.stop = async () => {
    stopped = true;
    await stopSync();
    await done;
  };
  return Promise.resolve();
}

/** The in-process keys load once the fallback is built: awaited unless the node starts in the background. */
function loadKeys(keys: KeyIndex, opts: SearchStartOptions): Promise<void> {
  const loading = keys.start();
  if (!opts.background) return loading;
  loading.catch((e) => opts.logger.error({ err: (e as Error).message }, 'in-process search keys failed to load'));
  return Promise.resolve();
}

/**
 * Search as the service runs it: Meilisearch (managed or external) with settings applied, the search
 * service, and the outbox worker started after a reconcile. `stop()` undoes all of it.
 */
export async function startSearch(opts: SearchStartOptions): Promise<SearchRuntime> {
  const { db, logger } = opts;
  const managed = opts.meiliUrl
    ? undefined
    : await startManagedMeili({
        dataDir: opts.dataDir,
        bin: opts.meiliBin,
        onEvent: (event, detail) => logger.warn({ event, ...detail }, 'managed meilisearch'),
      });
  const meili = createMeiliIndex({ url: opts.meiliUrl ?? managed!.url, key: opts.meiliKey ?? managed!.key });
  try {
    await meili.applySettings();
  } catch (e) {
    await managed?.stop();
    meili.close();
    throw e;
  }
  // The worker and the service meet only through the fallback store and the feed, both made first.
  const fallback = createFallbackStore(db);
  const feed = createIndexFeed();
  const shared = opts.meiliUrl !== undefined;
  let consumer;
  try {
    consumer = { key: await meili.identity(shared), shared };
  } catch (e) {
    await managed?.stop();
    meili.close();
    throw e;
  }
  const keys = createKeyIndex({ db, fallback, logger });
  const sync = createIndexSync({ db, fallback, meili, consumer, logger, feed, onFallbackWritten: keys.refresh });
  const service = createSearchService({
    db,
    logger,
    meili,
    fallback,
    keys,
    feed,
    budgetMs: opts.budgetMs,
    catchUp: () => sync.catchUp(),
    nudge: () => sync.nudge(),
    parked: () => sync.parked(),
    indexReady: sync.ready,
    progress: () => sync.progress(),
    onApplied: sync.onApplied,
  });
  try {
    await bringUp(sync, opts);
    await loadKeys(keys, opts);
  } catch (e) {
    keys.stop();
    await sync.stop();
    service.stop();
    meili.close();
    await managed?.stop();
    throw e;
  }
  return {
    service,
    sync,
    feed,
    meili,
    managed,
    searchReady: sync.ready,
    async stop() {
      keys.stop();
      await sync.stop();
      service.stop();
      meili.close();
      await managed?.stop();
    },
  };
}

/**
 * Degraded, never down: if Meilisearch cannot be started or reached at start-up, serve from the database's
 * fallback (kept current by the same worker) rather than refuse to start. Restart the service to try
 * Meilisearch again; `/healthz` says `degraded` meanwhile.
 */
export async function startSearchOrFallback(opts: SearchStartOptions): Promise<SearchRuntime & { startError?: Error }> {
  try {
    return await startSearch(opts);
  } catch (e) {
    opts.logger.error(
      { err: (e as Error).message },
      'meilisearch unavailable at start-up: search runs degraded on the fallback in the database',
    );
    const fallback = createFallbackStore(opts.db);
    const feed = createIndexFeed();
    const keys = createKeyIndex({ db: opts.db, fallback, logger: opts.logger });
    const sync = createIndexSync({ db: opts.db, fallback, logger: opts.logger, feed, onFallbackWritten: keys.refresh });
    const service = createSearchService({
      db: opts.db,
      logger: opts.logger,
      fallback,
      keys,
      feed,
      nudge: () => sync.nudge(),
      parked: () => sync.parked(),
      indexReady: sync.ready,
      progress: () => sync.progress(),
      onApplied: sync.onApplied,
    });
    await bringUp(sync, { ...opts, reconcile: true, worker: true });
    await loadKeys(keys, opts);
    return {
      service,
      sync,
      feed,
      searchReady: sync.ready,
      startError: e as Error,
      async stop() {
        keys.stop();
        await sync.stop();
        service.stop();
      },
    };
  }
}
