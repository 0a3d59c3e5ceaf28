import type { Db } from '../../db/index.js';
import type { AccessLog } from '../plans/access-log.js';
import type { Actor } from '../plans/actor.js';
import type { AuditNote } from './audit-trail.js';
import type { Clock } from '../plans/clock.js';
import type { PlanReader } from '../plans/read.js';
import type { Authenticator } from './auth.js';
import type { DevIssuer } from './dev-issuer.js';
import type { Logger } from './logger.js';

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
   * The access log. main.ts passes one with a checkpoint signer so it can close it on shutdown; when
   * absent, createApp builds one on `db` without checkpoints.
   */
  accessLog?: AccessLog;
  /** Whether the person's access report names individuals or only organisation and role. */
  accessReportNames?: AccessReportNames;
};

export type AccessReportNames = 'role-only' | 'individual';

/** Built once per app from the deps and shared by the routes. */
export type AppServices = AppDeps & { auth: Authenticator; reader: PlanReader; accessLog: AccessLog };

export type AppEnv = {
  Variables: {
    actor: Actor;
    purpose: string;
    /** What the route read, for its access event (set by the handler; see audit-trail.ts). */
    audit: AuditNote;
  };
};
