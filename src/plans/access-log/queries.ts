import { z } from 'zod';
import type { Store } from '../../../db/runtime.js';
import type { StoredEvent } from './chain.js';
import { eventsInScope, planLookupPass } from './events-store.js';
import { slugSchema, planIdSchema } from '../core/content.js';
import { accessActions, accessChannels, accessOutcomes } from '../../../db/schema/audit.js';

// Who may read the log is policy.ts authoriseAudit: its scope (the auditor's organisation) is what the
// store's queries (events-store.ts inScope) filter by.

const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

export const eventFilterSchema = z.strictObject({
  planId: planIdSchema.optional(),
  actor: z.string().trim().min(1).max(200).optional(),
  org: slugSchema.optional(),
  purpose: z.string().trim().min(1).max(200).optional(),
  outcome: z.enum(accessOutcomes).optional(),
  /** The person: their plan's reference (exact) or part of their name, among this organisation's plans. */
  person: z.string().trim().min(2).max(200).optional(),
  channel: z.enum(accessChannels).optional(),
  action: z.enum(accessActions).optional(),
  format: z.enum(['json', 'csv']).default('json'),
  from: instant.optional(),
  to: instant.optional(),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'not a cursor from a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type EventFilter = z.infer<typeof eventFilterSchema>;

/** An event as auditors see it: JSON columns parsed, hashes included so a printout can be checked. */
export function presentEvent(e: StoredEvent) {
  return {
    seq: e.seq,
    at: e.at,
    actor: e.actorSub ? { sub: e.actorSub, org: e.actorOrg, roles: JSON.parse(e.actorRoles ?? '[]') as string[] } : null,
    action: e.action,
    channel: e.channel,
    purpose: e.purpose,
    planId: e.planId,
    versionId: e.versionId,
    query: e.query ? (JSON.parse(e.query) as Record<string, unknown>) : null,
    resultPlanIds: e.resultPlanIds ? (JSON.parse(e.resultPlanIds) as string[]) : null,
    outcome: e.outcome,
    reason: e.reason,
    hash: e.hash,
  };
}
export type PresentedEvent = ReturnType<typeof presentEvent>;

/**
 * Brings access_event_plans up to the last committed event, so a query through it misses nothing. The
 * writer thread does the work (when idle, or asked by the routes through accessLog.planLookup()); this is
 * the guarantee, here, on whatever connection the query uses (the CLI has no writer thread).
 */
export async function catchUpPlanLookup(db: Store) {
  while ((await planLookupPass(db, 5_000)) > 0);
}

/** Dates as given are whole days: `to=2026-11-23` includes that day. */
const lowerBound = (v: string) => (v.length === 10 ? `${v}T00:00:00.000Z` : new Date(v).toISOString());
const upperBound = (v: string) => (v.length === 10 ? `${v}T23:59:59.999Z` : new Date(v).toISOString());

/** Newest first, a page at a time; every condition is a bound parameter. */
export async function listEvents(db: Store, scope: string, f: EventFilter) {
  // Events about one plan, or one person, come from the plan lookup, brought up to date with the log first.
  if (f.planId !== undefined || f.person !== undefined) await catchUpPlanLookup(db);
  const rows = await eventsInScope(
    db,
    scope,
    {
      planId: f.planId,
      person: f.person,
      channel: f.channel,
      action: f.action,
      actor: f.actor,
      org: f.org,
      purpose: f.purpose,
      outcome: f.outcome,
      from: f.from && lowerBound(f.from),
      to: f.to && upperBound(f.to),
      before: f.cursor === undefined ? undefined : Number(f.cursor),
    },
    f.limit + 1,
  );
  const page = rows.slice(0, f.limit);
  return {
    events: page.map(presentEvent),
    nextCursor: rows.length > f.limit ? String(page.at(-1)!.seq) : null,
  };
}
