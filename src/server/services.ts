import { DEFAULT_REF_LOOKUP_LIMITS, DEFAULT_SEARCH_LIMITS, defaultSearchConcurrency } from '../config.js';
import { createAccessLog } from '../plans/access-log/log.js';
import { cardResolver } from '../plans/cards/cards.js';
import { createPlanReader } from '../plans/versions/read.js';
import { createSearchService, type SearchService } from '../search/service.js';
import { accessLogHealth, type AccessLogHealth } from './access-trail/log-health.js';
import { createRefusalSummary } from './access-trail/refusal-summary.js';
import { createAuthenticator } from './auth/authenticator.js';
import { createOidcSignIn } from './auth/oidc.js';
import { createSessions } from './auth/session.js';
import type { AppDeps, AppServices } from './context.js';
import { createCardGuard } from './guards/card-guard.js';
import { createSearchGuard } from './guards/search-guard.js';
import { createSearchAdmission } from './guards/search-admission.js';
import { createRefLookupGuard } from './guards/ref-lookup-guard.js';
import { countersFor, handoffsFor, sharedStateFor } from './guards/shared-state.js';
import { createReadiness } from './readiness.js';

/** Everything the routes share, built once per app from its deps (real parts in production and tests). */
export function buildServices(deps: AppDeps): AppServices {
  const health = deps.accessLogHealth ?? accessLogHealth();
  const accessLog = deps.accessLog ?? ownAccessLog(deps, health);
  const search = instrumented(deps, deps.search ?? createSearchService({ db: deps.db, logger: deps.logger }));
  // Limits, refusal windows and card scans: in the database when several nodes may share it (shared-state.ts).
  const shared = deps.sharedState ?? sharedStateFor(deps.db);
  const counters = countersFor(shared, deps.db, deps.clock);
  const handoffs = handoffsFor(shared, deps.db, deps.clock);
  const services: AppServices = {
    ...deps,
    // A getter, not a copy: main.ts learns the address only once the server is listening.
    get publicBaseUrl() {
      return deps.publicBaseUrl;
    },
    sharedState: shared,
    auth: createAuthenticator(deps.db, deps.devIssuer, deps.clock, deps.authOptions),
    reader: createPlanReader(deps.db),
    accessLog,
    accessLogHealth: health,
    sessions: createSessions({
      db: deps.db,
      clock: deps.clock,
      secure: () => deps.publicBaseUrl.startsWith('https:'),
      maxMs: (deps.sessionMaxHours ?? 12) * 3600_000,
      idleMs: (deps.sessionIdleMinutes ?? 30) * 60_000,
    }),
    oidc: createOidcSignIn({ db: deps.db, clock: deps.clock, publicBaseUrl: () => deps.publicBaseUrl, secrets: deps.secrets }),
    cards: cardResolver(deps.db),
    cardGuard: createCardGuard(deps.clock, { counters, handoffs }),
    handoffs,
    search,
    // Findable by responders as soon as a publish commits, not at the index worker's next poll.
    planEvents: { onIndexChange: () => search.indexSoon() },
    refusals:
      deps.refusals ??
      createRefusalSummary({
        clock: deps.clock,
        shared: shared === 'database' ? deps.db : undefined,
        record: (e) => accessLog.record(e),
        onError: (e) => deps.logger.error({ err: { name: e.name, message: e.message } }, 'refusal summary not written'),
      }),
    searchGuard: createSearchGuard(deps.clock, deps.searchLimits ?? DEFAULT_SEARCH_LIMITS, counters),
    searchAdmission: createSearchAdmission(deps.searchConcurrency ?? defaultSearchConcurrency()),
    refLookupGuard: createRefLookupGuard(deps.clock, deps.refLookupLimits ?? DEFAULT_REF_LOOKUP_LIMITS, undefined, {
      kind: shared,
      db: deps.db,
    }),
    readiness: createReadiness({ db: deps.db, logHealth: health, search, searchReady: deps.searchReady }),
  };
  deps.metrics?.watch(services);
  return services;
}

/** Search timed for the metrics when they are on. */
const instrumented = (deps: AppDeps, search: SearchService) => deps.metrics?.instrumentSearch(search) ?? search;

/** A log without checkpoints, for an app given none; whoever passes a log wires its health (main.ts). */
function ownAccessLog(deps: AppDeps, health: AccessLogHealth) {
  const log = createAccessLog(deps.db, { clock: deps.clock, onError: (e) => health.failed(e) });
  health.watch(() => log.stats().batches);
  return log;
}
