import { z } from 'zod';
import type { Db } from '../../../db/index.js';
import type { Actor } from '../core/actor.js';
import type { StoredEvent } from './chain.js';
import { catchUpPlanLookup, EVENT_COLUMNS, presentEvent, type PresentedEvent } from './queries.js';
import { authoriseAccessReport, authoriseAudit } from '../policy.js';
import { findPlan } from '../versions/store.js';
import { fail, ok, type Result } from '../core/result.js';

export const planEventsFilterSchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** Events with seq below this (the previous page's last); pages run newest first. */
  before: z.number().int().min(1).optional(),
  limit: z.number().int().min(1).max(500).default(100),
});
export type PlanEventsFilter = z.infer<typeof planEventsFilterSchema>;

export type PlanEvents = {
  plan: { planId: string; externalRef: string; owningOrg: string };
  events: PresentedEvent[];
  nextBefore: number | null;
};

/**
 * Every event about one plan: views and other opens of it, and searches that listed it (unlike
 * listEvents' planId filter, which keeps only events that opened the plan). For the owning trust's
 * auditors only, like the person's access report.
 */
export async function planAccessEvents(db: Db, auditor: Actor, planId: string, f: PlanEventsFilter): Promise<Result<PlanEvents>> {
  const mayAudit = authoriseAudit(auditor);
  if (!mayAudit.ok) return mayAudit;
  const plan = await findPlan(db, planId);
  if (!plan) return fail('not_found', 'no such plan');
  // The same rule as the person's access report: the owning trust's auditors only.
  const allowed = authoriseAccessReport(auditor, plan.owningOrg);
  if (!allowed.ok) return allowed;
  catchUpPlanLookup(db);
  const where = ['e.seq IN (SELECT seq FROM access_event_plans WHERE plan_id = @planId)'];
  const params: Record<string, string | number> = { planId, limit: f.limit + 1 };
  if (f.from) (where.push('e.at >= @from'), (params.from = new Date(f.from).toISOString()));
  if (f.to) (where.push('e.at <= @to'), (params.to = new Date(f.to).toISOString()));
  if (f.before) (where.push('e.seq < @before'), (params.before = f.before));
  const rows = db.$client
    .prepare(`SELECT ${EVENT_COLUMNS} FROM access_events e WHERE ${where.join(' AND ')} ORDER BY e.seq DESC LIMIT @limit`)
    .all(params) as StoredEvent[];
  const page = rows.slice(0, f.limit);
  return ok({
    plan: { planId, externalRef: plan.externalRef, owningOrg: plan.owningOrg },
    events: page.map(presentEvent),
    nextBefore: rows.length > f.limit ? page.at(-1)!.seq : null,
  });
}
