import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createAuthenticator } from './auth.js';
import { createCardGuard } from './card-guard.js';
import type { AppDeps, AppEnv, AppServices } from './context.js';
import { webAccessRecorder } from './access-seam.js';
import { AppError, createErrorHandler, notFoundHandler } from './errors.js';
import { auditRoutes } from './routes/audit.js';
import { authoringRoutes } from './routes/authoring.js';
import { cardRoutes } from './routes/cards.js';
import { healthRoutes } from './routes/health.js';
import { planReadRoutes } from './routes/plans-read.js';
import { scanRoutes } from './routes/scan.js';
import { webRoutes } from './routes/web.js';
import { securityHeaders } from './security-headers.js';
import { fhirRoutes } from './fhir/routes.js';
import { requestLog } from './request-log.js';
import { createSessions } from './session.js';
import { createAccessLog } from '../plans/access-log.js';
import { cardResolver } from '../plans/cards.js';
import { searchRoutes } from './routes/search.js';
import { createSearchService, type SearchService } from '../search/service.js';
import { createPlanReader } from '../plans/read.js';

/**
 * The whole HTTP service from its parts. Tests build it with real SQLite files and call it with
 * `app.request()`; `src/main.ts` serves the same app over HTTP.
 */
const MAX_BODY_BYTES = 256 * 1024;

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new AppError('too_large', `request body over ${MAX_BODY_BYTES / 1024} KB`);
  },
});

const instrumented = (deps: AppDeps, search: SearchService) => deps.metrics?.instrumentSearch(search) ?? search;

export function createApp(deps: AppDeps) {
  const accessLog = deps.accessLog ?? createAccessLog(deps.db, { clock: deps.clock });
  const services: AppServices = {
    ...deps,
    // A getter, not a copy: main.ts learns the address only once the server is listening.
    get publicBaseUrl() {
      return deps.publicBaseUrl;
    },
    auth: createAuthenticator(deps.db, deps.devIssuer, deps.clock),
    reader: createPlanReader(deps.db),
    accessLog,
    recordAccess: deps.recordAccess ?? webAccessRecorder(accessLog),
    sessions: createSessions({
      secret: deps.sessionSecret ?? randomBytes(32).toString('base64url'),
      clock: deps.clock,
      secure: () => deps.publicBaseUrl.startsWith('https:'),
    }),
    cards: cardResolver(deps.db),
    cardGuard: createCardGuard(deps.clock),
    search: instrumented(deps, deps.search ?? createSearchService({ db: deps.db, logger: deps.logger })),
  };
  deps.metrics?.watch(services);
  const authoring = authoringRoutes(services);
  const audit = auditRoutes(services);
  // Card routes sit before the read routes: those require a purpose for everything under /api/v1/plans.
  const app = new Hono<AppEnv>()
    .use(requestLog(deps.logger, deps.metrics?.observeRequest), securityHeaders)
    // A whole plan is a few kilobytes; anything near this limit is a mistake or an attack. GET and HEAD
    // carry no body, and asking for one makes the Node adapter build a full Fetch Request: skip them.
    .use((c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)))
    .route('/', healthRoutes(services))
    .route('/api/v1/plans', authoring.writes)
    .route('/api/v1/plans', cardRoutes(services))
    .route('/api/v1/plans', authoring.reads)
    .route('/api/v1/plans', planReadRoutes(services))
    .route('/api/v1/plans', audit.report)
    .route('/api/v1/audit', audit.log)
    .route('/api/v1/search', searchRoutes(services))
    .route('/fhir/R4', fhirRoutes(services))
    .route('/', webRoutes(services))
    .route('/', scanRoutes(services));
  app.onError(createErrorHandler(deps.logger));
  app.notFound(notFoundHandler);
  return app;
}
export type App = ReturnType<typeof createApp>;
