import { Hono } from 'hono';
import type { AppEnv, AppServices } from '../context.js';

export function healthRoutes(_services: AppServices) {
  return new Hono<AppEnv>().get('/healthz', (c) => {
    // Search is not wired yet: until it is, name-search cannot answer, which is what "degraded" says.
    return c.json({ status: 'ok', search: 'degraded' as 'meilisearch' | 'degraded' });
  });
}
