import { Hono } from 'hono';
import type { AppEnv, AppServices } from '../context.js';

/** 503 when the access log cannot commit: every read needs its access event first, so none can be served. */
export function healthRoutes(services: AppServices) {
  return new Hono<AppEnv>().get('/healthz', (c) => {
    const accessLog = services.accessLogHealth.state();
    const search = services.search.state();
    if (!accessLog.ok) return c.json({ status: 'unavailable', failed: ['accessLog'], accessLog: accessLog.reason, search }, 503);
    return c.json({ status: 'ok', search });
  });
}
