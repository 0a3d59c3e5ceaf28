import type { AppServices } from '../context.js';
import { api } from './factory.js';

/**
 * GET /healthz — 503 naming what failed when the access log cannot commit: every read needs its access
 * event first, so none can be served. With AUDIT_WITNESS_DIR set, `auditWitness` says whether the newest
 * checkpoint reached it ("failing" until a retry succeeds); plans are still served meanwhile, since each
 * read is logged and checkpointed in the database either way.
 */
export const health = (s: AppServices) =>
  api.createHandlers(async (c) => {
    const accessLog = s.accessLogHealth.state();
    const search = s.search.state();
    // Plans set aside by the index worker: search works, but they may be missing from it (cli search-parked).
    const parked = await s.search.parked();
    const searchParked = parked ? { searchParked: parked } : {};
    const witness = s.auditWitness?.state();
    const auditWitness = witness && (witness.ok ? 'ok' : 'failing');
    if (!accessLog.ok) return c.json({ status: 'unavailable', failed: ['accessLog'], accessLog: accessLog.reason, search, auditWitness, ...searchParked }, 503);
    return c.json({ status: 'ok', search, auditWitness, ...searchParked });
  });
