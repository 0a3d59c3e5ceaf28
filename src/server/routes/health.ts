import { Hono } from 'hono';
import type { AppEnv, AppServices } from '../context.js';

export function healthRoutes(services: AppServices) {
  return new Hono<AppEnv>().get('/healthz', (c) => c.json({ status: 'ok', search: services.search.state() }));
}
