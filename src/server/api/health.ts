import type { AppServices } from '../context.js';
import { api } from './factory.js';

/**
 * GET /healthz — 503 naming what failed when the access log cannot commit: every read needs its access
 * event first, so none can be served.
 */
export const health = (s: AppServices) =>
  api.createHandlers((c) => {
    const accessLog = s.accessLogHealth.state();
    const search = s.search.state();
    // Plans set aside by the index worker: search works, but they may be missing from it (cli search-parked).
    const parked = s.search.parked();
    const searchParked = parked ? { searchParked: parked } : {};
    if (!accessLog.ok) return c.json({ status: 'unavailable', failed: ['accessLog'], accessLog: accessLog.reason, search, ...searchParked }, 503);
    return c.json({ status: 'ok', search, ...searchParked });
  });
