import type { AccessEventInput, AccessLog } from '../../plans/access-log/log.js';
import { accessLogUnavailable } from './api.js';
import type { Actor } from '../../plans/core/actor.js';

/**
 * The one shape in which the web and card routes report an access event. The access log (issue 5) is
 * built elsewhere: `AppDeps.recordAccess` is where it plugs in, and each request below calls it exactly
 * once, from one function per route, before any plan data is sent.
 */
export type WebAccessEvent = {
  /** Null for a scan by someone not yet signed in: the scan is still recorded, as refused. */
  actor: Actor | null;
  action: 'qr-scan' | 'view' | 'search';
  channel: 'qr' | 'web';
  purpose: string | null;
  planId?: string;
  versionId?: number;
  outcome: 'allowed' | 'denied';
  /** Why denied (`unknown-card`, `revoked-card`, `rate-limited`, `forbidden`, `withdrawn`, `not-found`) or how allowed. */
  reason?: string;
  /** How the card was presented, and this client's failed card look-ups in the current window (anomaly input). */
  card?: { via: 'token' | 'code'; cardId?: number; failuresInWindow: number };
  /** A search's terms, as validated (or as typed, when they were refused). */
  query?: Record<string, unknown>;
  /** Every plan a search returned, so each person's report counts the searches that surfaced them. */
  resultPlanIds?: string[];
};

export type AccessRecorder = (event: WebAccessEvent) => void | Promise<void>;

/** A web or card event as the access log stores it. */
export function accessEventOf(e: WebAccessEvent): AccessEventInput {
  return {
    actor: e.actor && { sub: e.actor.sub, org: e.actor.org, roles: e.actor.roles },
    action: e.action,
    channel: e.channel,
    purpose: e.purpose,
    planId: e.planId ?? null,
    versionId: e.versionId ?? null,
    // How the card was presented is the "lookup key" of a scan; failures feed the anomaly flags.
    query: e.card ? { card: e.card.via, cardId: e.card.cardId ?? null, failuresInWindow: e.card.failuresInWindow } : e.query,
    resultPlanIds: e.resultPlanIds,
    outcome: e.outcome,
    reason: e.reason,
  };
}

/**
 * The web and card routes' events, into the access log. A write that fails becomes a 503: the page is
 * not served unlogged.
 */
export function webAccessRecorder(log: AccessLog): AccessRecorder {
  return async (e) => {
    try {
      await log.record(accessEventOf(e));
    } catch {
      throw accessLogUnavailable();
    }
  };
}
