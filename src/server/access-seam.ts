import type { Actor } from '../plans/actor.js';

/**
 * The one shape in which the web and card routes report an access event. The access log (issue 5) is
 * built elsewhere: `AppDeps.recordAccess` is where it plugs in, and each request below calls it exactly
 * once, from one function per route, before any plan data is sent.
 */
export type WebAccessEvent = {
  actor: Actor;
  action: 'qr-scan' | 'view';
  channel: 'qr' | 'web';
  purpose: string;
  planId?: string;
  versionId?: number;
  outcome: 'allowed' | 'denied';
  /** Why denied (`unknown-card`, `revoked-card`, `rate-limited`, `forbidden`, `withdrawn`, `not-found`) or how allowed. */
  reason?: string;
  /** How the card was presented, and this client's failed card look-ups in the current window (anomaly input). */
  card?: { via: 'token' | 'code'; cardId?: number; failuresInWindow: number };
};

export type AccessRecorder = (event: WebAccessEvent) => void | Promise<void>;
