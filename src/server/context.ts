import type { Db } from '../../db/index.js';
import type { AccessLog } from '../plans/access-log.js';
import type { Actor } from '../plans/actor.js';
import type { CardResolver } from '../plans/cards.js';
import type { AuditNote } from './audit-trail.js';
import type { Clock } from '../plans/clock.js';
import type { PlanReader } from '../plans/read.js';
import type { AccessRecorder } from './access-seam.js';
import type { SearchService } from '../search/service.js';
import type { Authenticator } from './auth.js';
import type { CardGuard } from './card-guard.js';
import type { DevIssuer } from './dev-issuer.js';
import type { Logger } from '../logger.js';
import type { Session, Sessions } from './session.js';

/** What the app is built from: real parts in production and in tests alike. */
export type AppDeps = {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Present only when the development issuer is on (CONTRACTS §2). */
  devIssuer?: DevIssuer;
  /** Where QR codes and links point; derived from the bound address when not configured. */
  publicBaseUrl: string;
  /** Signs web session cookies; kept under DATA_DIR by main.ts. Absent: a random one (sessions end on restart). */
  sessionSecret?: string;
  /** Where web and card access events go; by default the access log. Tests may collect them instead. */
  recordAccess?: AccessRecorder;
  /**
   * The access log. main.ts passes one with a checkpoint signer so it can close it on shutdown; when
   * absent, createApp builds one on `db` without checkpoints.
   */
  accessLog?: AccessLog;
  /** Whether the person's access report names individuals or only organisation and role. */
  accessReportNames?: AccessReportNames;
  /** Name search; absent → a fallback-only service over the same database (always degraded). */
  search?: SearchService;
};

export type AccessReportNames = 'role-only' | 'individual';

/** Built once per app from the deps and shared by the routes. */
export type AppServices = AppDeps & {
  auth: Authenticator;
  reader: PlanReader;
  accessLog: AccessLog;
  recordAccess: AccessRecorder;
  sessions: Sessions;
  cards: CardResolver;
  cardGuard: CardGuard;
  search: SearchService;
};

export type AppEnv = {
  Variables: {
    actor: Actor;
    purpose: string;
    /** What the route read, for its access event (set by the handler; see audit-trail.ts). */
    audit: AuditNote;
  };
};

/** Web pages: the actor and purpose come from the session cookie and may be absent. */
export type WebEnv = {
  Variables: {
    actor?: Actor;
    purpose?: string;
    session?: Session;
  };
};
