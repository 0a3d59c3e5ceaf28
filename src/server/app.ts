import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { createAuthenticator } from './auth.js';
import type { AppDeps, AppEnv, AppServices } from './context.js';
import { createErrorHandler, notFoundHandler } from './errors.js';
import { auditRoutes } from './routes/audit.js';
import { authoringRoutes } from './routes/authoring.js';
import { healthRoutes } from './routes/health.js';
import { planReadRoutes } from './routes/plans-read.js';
import { createAccessLog } from '../plans/access-log.js';
import { createPlanReader } from '../plans/read.js';

/**
 * The whole HTTP service from its parts. Tests build it with real SQLite files and call it with
 * `app.request()`; `src/main.ts` serves the same app over HTTP.
 */
export function createApp(deps: AppDeps) {
  const services: AppServices = {
    ...deps,
    auth: createAuthenticator(deps.db, deps.devIssuer, deps.clock),
    reader: createPlanReader(deps.db),
    accessLog: deps.accessLog ?? createAccessLog(deps.db, { clock: deps.clock }),
  };
  const authoring = authoringRoutes(services);
  const audit = auditRoutes(services);
  const app = new Hono<AppEnv>()
    .use(secureHeaders({ referrerPolicy: 'no-referrer' }))
    .route('/', healthRoutes(services))
    .route('/api/v1/plans', authoring.writes)
    .route('/api/v1/plans', authoring.reads)
    .route('/api/v1/plans', planReadRoutes(services))
    .route('/api/v1/plans', audit.report)
    .route('/api/v1/audit', audit.log);
  app.onError(createErrorHandler(deps.logger));
  app.notFound(notFoundHandler);
  return app;
}
export type App = ReturnType<typeof createApp>;
