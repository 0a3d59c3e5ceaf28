import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { createAuthenticator } from './auth.js';
import type { AppDeps, AppEnv, AppServices } from './context.js';
import { createErrorHandler, notFoundHandler } from './errors.js';
import { authoringRoutes } from './routes/authoring.js';
import { healthRoutes } from './routes/health.js';
import { planReadRoutes } from './routes/plans-read.js';
import { searchRoutes } from './routes/search.js';
import { createSearchService } from '../search/service.js';
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
    search: deps.search ?? createSearchService({ db: deps.db, logger: deps.logger }),
  };
  const authoring = authoringRoutes(services);
  const app = new Hono<AppEnv>()
    .use(secureHeaders({ referrerPolicy: 'no-referrer' }))
    .route('/', healthRoutes(services))
    .route('/api/v1/plans', authoring.writes)
    .route('/api/v1/plans', authoring.reads)
    .route('/api/v1/plans', planReadRoutes(services))
    .route('/api/v1/search', searchRoutes(services));
  app.onError(createErrorHandler(deps.logger));
  app.notFound(notFoundHandler);
  return app;
}
export type App = ReturnType<typeof createApp>;
