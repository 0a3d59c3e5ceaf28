import type { Db } from '../../db/index.js';
import type { Actor } from '../plans/actor.js';
import type { Clock } from '../plans/clock.js';
import type { PlanReader } from '../plans/read.js';
import type { SearchService } from '../search/service.js';
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
  /** Name search; absent → a fallback-only service over the same database (always degraded). */
  search?: SearchService;
};

/** Built once per app from the deps and shared by the routes. */
export type AppServices = AppDeps & { auth: Authenticator; reader: PlanReader; search: SearchService };

export type AppEnv = {
  Variables: {
    actor: Actor;
    purpose: string;
  };
};
