import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { createAuthenticator } from './auth.js';
import type { AppDeps, AppEnv, AppServices } from './context.js';
import { AppError, createErrorHandler, notFoundHandler } from './errors.js';
import { authoringRoutes } from './routes/authoring.js';
import { healthRoutes } from './routes/health.js';
import { planReadRoutes } from './routes/plans-read.js';
import { createPlanReader } from '../plans/read.js';

/**
 * The whole HTTP service from its parts. Tests build it with real SQLite files and call it with
 * `app.request()`; `src/main.ts` serves the same app over HTTP.
 */
const MAX_BODY_BYTES = 256 * 1024;

export function createApp(deps: AppDeps) {
  const services: AppServices = {
    ...deps,
    auth: createAuthenticator(deps.db, deps.devIssuer, deps.clock),
    reader: createPlanReader(deps.db),
  };
  const authoring = authoringRoutes(services);
  const app = new Hono<AppEnv>()
    .use(secureHeaders({ referrerPolicy: 'no-referrer' }))
    // A whole plan is a few kilobytes; anything near this limit is a mistake or an attack.
    .use(bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new AppError('too_large', `request body over ${MAX_BODY_BYTES / 1024} KB`); } }))
    .route('/', healthRoutes(services))
    .route('/api/v1/plans', authoring.writes)
    .route('/api/v1/plans', authoring.reads)
    .route('/api/v1/plans', planReadRoutes(services));
  app.onError(createErrorHandler(deps.logger));
  app.notFound(notFoundHandler);
  return app;
}
export type App = ReturnType<typeof createApp>;
