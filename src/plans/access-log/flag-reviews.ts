import { z } from 'zod';
import type { Store } from '../../../db/runtime.js';
import { authoriseFlagReview } from '../policy.js';
import { flagReviewsSince } from './events-store.js';
import { accessFlags, flagQuerySchema, type AccessFlag } from './flags.js';
import type { AccessLog } from './log.js';
import type { Actor } from '../core/actor.js';
import type { Clock } from '../core/clock.js';
import { fail, ok, type Result } from '../core/result.js';

/**
 * Closing a flag. A review is itself an event in the hash-chained access log (action `flag-review`, the
 * flag id and outcome in its query, the comment as its reason), so reviews are append-only, tamper-evident
 * and covered by verify-audit like every read. A flag is closed once a review of its id exists.
 */

export const flagReviewOutcomes = ['appropriate', 'follow-up', 'reported'] as const;
export const flagReviewSchema = z.strictObject({
  outcome: z.enum(flagReviewOutcomes),
  comment: z.string().trim().min(3, 'say what you found (at least 3 characters)').max(500),
});
export type FlagReviewInput = z.infer<typeof flagReviewSchema>;

export const flagListSchema = flagQuerySchema.extend({ state: z.enum(['open', 'closed']).optional() });
export type FlagListQuery = z.infer<typeof flagListSchema>;

export const flagIdParam = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'not a flag id') });

export type FlagReview = { by: { sub: string | null; org: string | null }; at: string; outcome: string; comment: string | null };
export type ReviewedFlag = AccessFlag & { state: 'open' | 'closed'; review: FlagReview | null };

/** How far back a review may reach: flags are recomputed from the log over this window to find the one named. */
const REVIEW_WINDOW_DAYS = 90;

async function reviewsSince(db: Store, from: string): Promise<Map<string, FlagReview>> {
  const rows = await flagReviewsSince(db, from);
  const byId = new Map<string, FlagReview>();
  // The first review closes the flag; any later one (two auditors at once) stays in the log.
  for (const r of rows)
    if (!byId.has(r.flagId)) byId.set(r.flagId, { by: { sub: r.sub, org: r.org }, at: r.at, outcome: r.outcome, comment: r.reason });
  return byId;
}

const windowStart = (q: { from?: string }, now: Date) =>
  q.from ? new Date(q.from).toISOString() : new Date(now.getTime() - 7 * 86_400_000).toISOString();

/** Open flags first, emergency access first among them, newest first within each group; then closed ones. */
export async function listFlags(db: Store, actor: Actor, q: FlagListQuery, now: Date): Promise<Result<ReviewedFlag[]>> {
  const allowed = authoriseFlagReview(actor);
  if (!allowed.ok) return allowed;
  const { state, ...flagQuery } = q;
  const reviews = await reviewsSince(db, windowStart(q, now));
  const flags: ReviewedFlag[] = (await accessFlags(db, allowed.value.scope, flagQuery, now)).map((f) => {
    const review = reviews.get(f.id) ?? null;
    return { ...f, state: review ? 'closed' : 'open', review };
  });
  const rank = (f: ReviewedFlag) => (f.state === 'closed' ? 2 : f.kind === 'emergency-access' ? 0 : 1);
  // accessFlags returns newest first and sort is stable, so only the groups need ordering.
  return ok(flags.filter((f) => !state || f.state === state).sort((a, b) => rank(a) - rank(b)));
}

export async function reviewFlag(
  deps: { db: Store; log: Pick<AccessLog, 'record'>; clock: Clock },
  actor: Actor,
  flagId: string,
  input: FlagReviewInput,
  channel: 'api' | 'web' = 'api',
): Promise<Result<ReviewedFlag>> {
  const allowed = authoriseFlagReview(actor);
  if (!allowed.ok) return allowed;
  const now = deps.clock();
  const from = new Date(now.getTime() - REVIEW_WINDOW_DAYS * 86_400_000).toISOString();
  const flag = (await accessFlags(deps.db, allowed.value.scope, { from }, now)).find((f) => f.id === flagId);
  if (!flag) return fail('not_found', `no flag ${flagId} in your organisation's scope over the last ${REVIEW_WINDOW_DAYS} days`);
  const earlier = (await reviewsSince(deps.db, from)).get(flagId);
  if (earlier) return fail('conflict', `this flag was already closed by ${earlier.by.sub} on ${earlier.at} (${earlier.outcome})`);
  const orgs = [...new Set([actor.org, ...(flag.actor.org ? [flag.actor.org] : [])])];
  try {
    await deps.log.record({
      actor: { sub: actor.sub, org: actor.org, roles: actor.roles },
      action: 'flag-review',
      channel,
      purpose: null,
      query: { flagId, kind: flag.kind, outcome: input.outcome, eventSeqs: flag.eventSeqs, orgs },
      outcome: 'allowed',
      reason: input.comment,
    });
  } catch {
    return fail('unavailable', 'the access log could not record this review, so the flag stays open; try again shortly');
  }
  return ok({
    ...flag,
    state: 'closed',
    review: { by: { sub: actor.sub, org: actor.org }, at: now.toISOString(), outcome: input.outcome, comment: input.comment },
  });
}
