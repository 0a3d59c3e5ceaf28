import { isStoreUnavailable } from '../../../db/unavailable.js';
import type { AppServices } from '../context.js';
import { api } from './factory.js';

/**
 * GET /healthz — 503 naming what failed when the access log cannot commit: every read needs its access
 * event first, so none can be served. With AUDIT_WITNESS_DIR set, `auditWitness` says whether the newest
 * checkpoint reached it ("failing" until a retry succeeds); plans are still served meanwhile, since each
 * read is logged and checkpointed in the database either way. A database that does not take a commit
 * (PostgreSQL away: readiness.ts's probe) is 503 too, naming it. /readyz adds the search index's catch-up,
 * for a load balancer.
 */
export const health = (s: AppServices) =>
  api.createHandlers(async (c) => {
    const search = s.search.state();
    const witness = s.auditWitness?.state();
    const auditWitness = witness && (witness.ok ? 'ok' : 'failing');
    // A database that is away fails every read, though no commit has failed yet to say so.
    const database = await s.readiness.database();
    const away = { status: 'unavailable', failed: ['database'], database, search, auditWitness };
    if (database !== 'ok') return c.json(away, 503);
    const accessLog = s.accessLogHealth.state();
    // Plans set aside by the index worker: search works, but they may be missing from it (cli search-parked).
    let parked: number;
    try {
      parked = await s.search.parked();
    } catch (e) {
      if (!isStoreUnavailable(e)) throw e;
      return c.json(away, 503);
    }
    const searchParked = parked ? { searchParked: parked } : {};
    if (!accessLog.ok)
      return c.json(
        { status: 'unavailable', failed: ['accessLog'], accessLog: accessLog.reason, search, auditWitness, ...searchParked },
        503,
      );
    return c.json({ status: 'ok', search, auditWitness, ...searchParked });
  });

/**
 * GET /readyz — for a load balancer's health check: 200 only when this node can serve a plan now (a
 * commit reaches the database, the access log is not failing, the search index has caught up), else 503
 * naming what is not. Search `degraded` is still ready. See readiness.ts.
 */
export const readiness = (s: AppServices) =>
  api.createHandlers(async (c) => {
    const r = await s.readiness.check();
    const { ready, ...rest } = r;
    return c.json({ status: ready ? 'ready' : 'not-ready', ...rest }, ready ? 200 : 503);
  });

/**
 * GET /livez — the process answers: no database, no disk. For a supervisor that restarts a hung process;
 * restarting a node because its database is away would only lose its warm caches.
 */
export const liveness = () => api.createHandlers((c) => c.json({ status: 'alive' }));
