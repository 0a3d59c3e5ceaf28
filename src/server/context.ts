import type { Db } from '../../db/index.js';
import type { AccessLog } from '../plans/access-log/log.js';
import type { AuditWitness } from '../plans/access-log/witness.js';
import type { Actor } from '../plans/core/actor.js';
import type { CardResolver } from '../plans/cards/cards.js';
import type { AccessNote } from './access-trail/note.js';
import type { Clock } from '../plans/core/clock.js';
import type { PlanEvents } from '../plans/versions/events.js';
import type { PlanReader } from '../plans/versions/read.js';
import type { SearchService } from '../search/service.js';
import type { AccessLogHealth } from './access-trail/log-health.js';
import type { Authenticator, AuthenticatorOptions } from './auth/authenticator.js';
import type { CardGuard } from './guards/card-guard.js';
import type { DevIssuer } from './auth/dev-issuer.js';
import type { Logger } from '../logger.js';
import type { OidcSignIn } from './auth/oidc.js';
import type { Session, Sessions } from './auth/session.js';
import type { RefusalSummary } from './access-trail/refusal-summary.js';
import type { SearchGuard } from './guards/search-guard.js';
import type { Release, SearchAdmission } from './guards/search-admission.js';
import type { RefLookupLimits, SearchConcurrency, SearchLimits, TrustProxy } from '../config.js';
import type { RefLookupGuard } from './guards/ref-lookup-guard.js';
import type { Handoffs, SharedStateKind } from './guards/shared-state.js';
import type { Metrics } from './metrics/metrics.js';
import type { SecretBox } from '../plans/keys/secrets.js';
import type { createReadiness, SearchReady } from './readiness.js';

/** What the app is built from: real parts in production and in tests alike. */
export type AppDeps = {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Present only when the development issuer is on (CONTRACTS §2). */
  devIssuer?: DevIssuer;
  /** Where QR codes and links point; derived from the bound address when not configured. */
  publicBaseUrl: string;
  /**
   * Cards may point at this machine (a developer's, or a test's): on whenever the development issuer is,
   * unless said otherwise. Elsewhere a card at a loopback address is refused (plans/cards/print.ts).
   */
  localCards?: boolean;
  /**
   * The access log. main.ts passes one with a checkpoint signer so it can close it on shutdown; when
   * absent, createApp builds one on `db` without checkpoints.
   */
  accessLog?: AccessLog;
  /** Fed by the access log's onError (main.ts wires it); when absent, createApp makes one for its own log. */
  accessLogHealth?: AccessLogHealth;
  /** AUDIT_WITNESS_DIR's writer, given to the access log too: its state goes on /healthz and in metrics. */
  auditWitness?: Pick<AuditWitness, 'state'>;
  /** Whether the person's access report names individuals or only organisation and role. */
  accessReportNames?: AccessReportNames;
  /** Token verification limits (TOKEN_MAX_HOURS); defaults in auth/authenticator.ts. */
  authOptions?: AuthenticatorOptions;
  /** SESSION_MAX_HOURS / SESSION_IDLE_MINUTES (default 12 h / 30 min). */
  sessionMaxHours?: number;
  sessionIdleMinutes?: number;
  /** Name search; absent → a fallback-only service over the same database (always degraded). */
  search?: SearchService;
  /** Whether this node's search index has caught up with the database, for /readyz; absent → it has. */
  searchReady?: SearchReady;
  /** Which forwarded header to believe for the client address (rate limits key on it); absent = the socket. */
  trustProxy?: TrustProxy;
  /** KEYS_DIR's secrets key: seals OpenID client secrets set from the admin pages and opens them to sign in; absent → both refuse. */
  secrets?: SecretBox;
  /** Per-person search limits; absent = the defaults of src/config.ts. */
  searchLimits?: SearchLimits;
  /** Searches this node runs at once and how many may wait (`off`: no limit); absent = the defaults of src/config.ts. */
  searchConcurrency?: SearchConcurrency | 'off';
  /** Per-person limits on look-ups by reference (API and FHIR together); absent = the defaults of src/config.ts. */
  refLookupLimits?: RefLookupLimits;
  /**
   * Where limits, refusal windows and card scans are kept: absent = the database on PostgreSQL (several
   * nodes), memory on SQLite (one node). Tests set it to run the database's on SQLite too.
   */
  sharedState?: SharedStateKind;
  /** Summarises floods of refusals into few access events; main.ts passes one so it can close it first. */
  refusals?: RefusalSummary;
  /** Prometheus metrics (main.ts: when METRICS_PORT is set); absent → no metrics middleware at all. */
  metrics?: Metrics;
  /** SUMMARY_WARN_WORDS: the console warns above this many words in the 30-second summary (default 75). */
  summaryWarnWords?: number;
};

export type AccessReportNames = 'role-only' | 'individual';

/** Built once per app from the deps and shared by the routes. */
export type AppServices = AppDeps & {
  auth: Authenticator;
  reader: PlanReader;
  accessLog: AccessLog;
  accessLogHealth: AccessLogHealth;
  sessions: Sessions;
  oidc: OidcSignIn;
  cards: CardResolver;
  cardGuard: CardGuard;
  /** Single-use values for a later request, which may reach another node (shared-state.ts). */
  handoffs: Handoffs;
  search: SearchService;
  /** Given to the workflow: a publish or withdrawal nudges the search index (the search service's). */
  planEvents: PlanEvents;
  refusals: RefusalSummary;
  searchGuard: SearchGuard;
  /** Sheds searches past this node's concurrency with a 503 (guards/search-admission.ts). */
  searchAdmission: SearchAdmission;
  refLookupGuard: RefLookupGuard;
  /** /readyz: whether a load balancer should send this node requests. */
  readiness: ReturnType<typeof createReadiness>;
};

export type AppEnv = {
  Variables: {
    actor: Actor;
    purpose: string;
    /** What the route read or refused, for its access event (set by the handler; see access-trail/). */
    access: AccessNote;
    /** This search's admission slot (guards/search-admission.ts), freed once the search has answered. */
    searchSlot?: Release;
  };
};

/** Web pages: the actor and purpose come from the session cookie and may be absent. */
export type WebEnv = {
  Variables: {
    actor?: Actor;
    purpose?: string;
    session?: Session;
    /** What the page showed or refused, for its access event (access-trail/). */
    access?: AccessNote;
    /** This search's admission slot (guards/search-admission.ts), freed once the search has answered. */
    searchSlot?: Release;
    /** This request's session cookie named a session that has just ended (the sign-in page says why). */
    sessionEnded?: 'idle' | 'expired';
    /** The signed-in person's organisation by name, for every message a person reads (never the slug). */
    orgName?: string;
  };
};
