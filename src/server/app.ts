import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createAuthenticator } from './auth/authenticator.js';
import { createCardGuard } from './guards/card-guard.js';
import type { AppDeps, AppEnv, AppServices } from './context.js';
import { webAccessRecorder } from './access-trail/web.js';
import { accessLogHealth, type AccessLogHealth } from './access-trail/log-health.js';
import { AppError, createErrorHandler, notFoundHandler } from './errors.js';
import { adminRoutes } from './routes/admin.js';
import { auditRoutes } from './routes/audit.js';
import { flagReviewRoutes } from './routes/flag-reviews.js';
import { authoringRoutes } from './routes/authoring.js';
import { cardRoutes } from './routes/cards.js';
import { healthRoutes } from './routes/health.js';
import { planReadRoutes } from './routes/plans-read.js';
import { scanRoutes } from './routes/scan.js';
import { webRoutes } from './routes/web.js';
import { securityHeaders } from './security-headers.js';
import { createOidcSignIn } from './auth/oidc.js';
import { createSessions } from './auth/session.js';
import { createAccessLog } from '../plans/access-log/log.js';
import { cardResolver } from '../plans/cards/cards.js';
import { searchRoutes } from './routes/search.js';
import { createSearchService } from '../search/service.js';
import { createPlanReader } from '../plans/versions/read.js';
import { createRefusalSummary } from './access-trail/refusal-summary.js';
import { createSearchGuard } from './guards/search-guard.js';
import { DEFAULT_SEARCH_LIMITS } from '../config.js';
import { listReviews } from './api/v1/reviews/list.js';
import { manageRoutes } from './web/manage/index.js';

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

export function createApp(deps: AppDeps) {
  const health = deps.accessLogHealth ?? accessLogHealth();
  const accessLog = deps.accessLog ?? ownAccessLog(deps, health);
  const services: AppServices = {
    ...deps,
    // A getter, not a copy: main.ts learns the address only once the server is listening.
    get publicBaseUrl() {
      return deps.publicBaseUrl;
    },
    auth: createAuthenticator(deps.db, deps.devIssuer, deps.clock, deps.authOptions),
    reader: createPlanReader(deps.db),
    accessLog,
    accessLogHealth: health,
    recordAccess: deps.recordAccess ?? webAccessRecorder(accessLog),
    sessions: createSessions({
      db: deps.db,
      clock: deps.clock,
      secure: () => deps.publicBaseUrl.startsWith('https:'),
      maxMs: (deps.sessionMaxHours ?? 12) * 3600_000,
      idleMs: (deps.sessionIdleMinutes ?? 30) * 60_000,
    }),
    oidc: createOidcSignIn({ db: deps.db, clock: deps.clock, publicBaseUrl: () => deps.publicBaseUrl }),
    cards: cardResolver(deps.db),
    cardGuard: createCardGuard(deps.clock),
    search: deps.search ?? createSearchService({ db: deps.db, logger: deps.logger }),
    refusals:
      deps.refusals ??
      createRefusalSummary({
        clock: deps.clock,
        record: (e) => accessLog.record(e),
        onError: (e) => deps.logger.error({ err: { name: e.name, message: e.message } }, 'refusal summary not written'),
      }),
    searchGuard: createSearchGuard(deps.clock, deps.searchLimits ?? DEFAULT_SEARCH_LIMITS),
  };
  const authoring = authoringRoutes(services);
  const audit = auditRoutes(services);
  // Card routes sit before the read routes: those require a purpose for everything under /api/v1/plans.
  const app = new Hono<AppEnv>()
    .use(securityHeaders)
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
    .route('/api/v1/audit', flagReviewRoutes(services))
    .route('/api/v1/admin', adminRoutes(services))
    .route('/api/v1/search', searchRoutes(services))
    .route('/api/v1/reviews', listReviews(services))
    .route('/', webRoutes(services))
    .route('/', manageRoutes(services))
    .route('/', scanRoutes(services));
  app.onError(createErrorHandler(deps.logger));
  app.notFound(notFoundHandler);
  return app;
}
export type App = ReturnType<typeof createApp>;

/** A log without checkpoints, for an app given none; whoever passes a log wires its health (main.ts). */
function ownAccessLog(deps: AppDeps, health: AccessLogHealth) {
  const log = createAccessLog(deps.db, { clock: deps.clock, onError: () => health.failed() });
  health.watch(() => log.stats().batches);
  return log;
}
