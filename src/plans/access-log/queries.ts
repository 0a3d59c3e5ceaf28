import { z } from 'zod';
import type { Db } from '../../../db/index.js';
import type { StoredEvent } from './chain.js';
import { eventColumns } from './columns.mjs';
import { accessIndexer } from './writer/lookup.mjs';
import { slugSchema, planIdSchema } from '../core/content.js';
import { accessActions, accessChannels, accessOutcomes } from '../../../db/schema/audit.js';

// Who may read the log is policy.ts authoriseAudit: its scope (the auditor's organisation) is what this
// fragment filters by.
export const SCOPE_SQL = `(
  e.actor_org = @scope
  OR e.plan_id IN (SELECT id FROM plans WHERE owning_org = @scope)
  OR (e.result_plan_ids IS NOT NULL AND EXISTS (
        SELECT 1 FROM json_each(e.result_plan_ids) j JOIN plans p ON p.id = j.value WHERE p.owning_org = @scope))
  OR (e.action IN ('governance', 'flag-review') AND EXISTS (
        SELECT 1 FROM json_each(e.query, '$.orgs') g WHERE g.value = @scope)))`;

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
  cursor: z.string().regex(/^\d{1,15}$/, 'not a cursor from a previous page').optional(),
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

/** An event's columns under the alias `e`, named as StoredEvent's fields. */
export const EVENT_COLUMNS = eventColumns('e');

/**
 * Brings access_event_plans up to the last committed event, so a query through it misses nothing. The
 * writer thread does the work (when idle, or asked by the routes through accessLog.planLookup()); this is
 * the guarantee, here, on whatever connection the query uses (the CLI has no writer thread).
 */
export function catchUpPlanLookup(db: Db) {
  const indexer = accessIndexer(db.$client);
  while (indexer.pass(5_000) > 0);
}

/** Dates as given are whole days: `to=2026-11-23` includes that day. */
const lowerBound = (v: string) => (v.length === 10 ? `${v}T00:00:00.000Z` : new Date(v).toISOString());
const upperBound = (v: string) => (v.length === 10 ? `${v}T23:59:59.999Z` : new Date(v).toISOString());

/** Newest first, a page at a time; every condition is a bound parameter. */
export function listEvents(db: Db, scope: string, f: EventFilter) {
  const where = [SCOPE_SQL];
  const params: Record<string, string | number> = { scope, limit: f.limit + 1 };
  const add = (sql: string, name: string, value: string | number | undefined) => {
    if (value === undefined) return;
    where.push(sql);
    params[name] = value;
  };
  // Events about one plan come from the plan lookup, brought up to date with the log first.
  if (f.planId !== undefined) catchUpPlanLookup(db);
  add('e.seq IN (SELECT seq FROM access_event_plans WHERE plan_id = @planId) AND e.plan_id = @planId', 'planId', f.planId);
  // Every event that concerns the person: plans opened and searches that surfaced them (the plan lookup).
  if (f.person !== undefined) catchUpPlanLookup(db);
  add(
    `e.seq IN (SELECT ep.seq FROM access_event_plans ep JOIN plans p ON p.id = ep.plan_id
       WHERE p.owning_org = @scope AND (p.external_ref = @person OR p.id IN (
         SELECT v.plan_id FROM plan_versions v
         WHERE instr(lower(json_extract(v.subject, '$.givenNames') || ' ' || json_extract(v.subject, '$.familyName') || ' ' ||
                           coalesce(json_extract(v.subject, '$.preferredName'), '')), lower(@person)) > 0)))`,
    'person',
    f.person,
  );
  add('e.channel = @channel', 'channel', f.channel);
  add('e.action = @action', 'action', f.action);
  add('e.actor_sub = @actor', 'actor', f.actor);
  add('e.actor_org = @org', 'org', f.org);
  add('instr(e.purpose, @purpose) > 0', 'purpose', f.purpose);
  add('e.outcome = @outcome', 'outcome', f.outcome);
  add('e.at >= @from', 'from', f.from && lowerBound(f.from));
  add('e.at <= @to', 'to', f.to && upperBound(f.to));
  add('e.seq < @cursor', 'cursor', f.cursor === undefined ? undefined : Number(f.cursor));
  const rows = db.$client
    .prepare(`SELECT ${EVENT_COLUMNS} FROM access_events e WHERE ${where.join(' AND ')} ORDER BY e.seq DESC LIMIT @limit`)
    .all(params) as StoredEvent[];
  const page = rows.slice(0, f.limit);
  return {
    events: page.map(presentEvent),
    nextCursor: rows.length > f.limit ? String(page.at(-1)!.seq) : null,
  };
}
