import type { AccessChannel } from '../../plans/access-log/log.js';

/**
 * What a handler tells the access log about what it served or refused, with `c.set('access', note)`;
 * the trail (trail.ts) turns it into the request's one access event. API and web routes alike.
 */
export type AccessNote = {
  planId?: string | null;
  versionId?: number | null;
  /** The search terms or lookup key, as validated (or as typed, when they were refused). */
  query?: Record<string, unknown>;
  /** Every plan a search returned, so each person's report counts the searches that surfaced them. */
  resultPlanIds?: string[];
  /**
   * `emergency` when the plan was opened by break-glass; `denied` when the page refused although it
   * answered 200 (a form shown again with its refusal).
   */
  outcome?: 'allowed' | 'emergency' | 'denied';
  /** How it was allowed, or why it was refused (`unknown-card`, `withdrawn`, `not-found`…). */
  reason?: string;
  /** The real reason for a refusal the response words otherwise (a concealed plan answers 404). */
  denial?: string;
  channel?: AccessChannel;
  /** Who acted, when it is not the request's signed-in actor (a sign-in: the person just identified, or refused). */
  actor?: { sub: string; org: string; roles: readonly string[] } | null;
  /** The purpose to record when it is not the request's own (a refused card scan records none). */
  purpose?: string | null;
  /** How a card was presented, and this client's failed card look-ups in the current window (anomaly input). */
  card?: { via: 'token' | 'code'; cardId?: number; failuresInWindow: number };
};
