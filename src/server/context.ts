import type { Db } from '../../db/index.js';
import type { Actor } from '../plans/actor.js';
import type { CardResolver } from '../plans/cards.js';
import type { Clock } from '../plans/clock.js';
import type { PlanReader } from '../plans/read.js';
import type { AccessRecorder } from './access-seam.js';
import type { Authenticator } from './auth.js';
import type { CardGuard } from './card-guard.js';
import type { DevIssuer } from './dev-issuer.js';
import type { Logger } from './logger.js';
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
  /** Where web and card access events go (the access log, issue 5). */
  recordAccess?: AccessRecorder;
};

/** Built once per app from the deps and shared by the routes. */
export type AppServices = AppDeps & {
  auth: Authenticator;
  reader: PlanReader;
  sessions: Sessions;
  cards: CardResolver;
  cardGuard: CardGuard;
};

export type AppEnv = {
  Variables: {
    actor: Actor;
    purpose: string;
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
