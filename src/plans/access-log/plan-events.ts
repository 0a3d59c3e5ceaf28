import { z } from 'zod';
import type { Store } from '../../../db/runtime.js';
import type { Actor } from '../core/actor.js';
import { eventsAboutPlan, planOf } from './events-store.js';
import { catchUpPlanLookup, presentEvent, type PresentedEvent } from './queries.js';
import { authoriseAccessReport, authoriseAudit } from '../policy.js';
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
export async function planAccessEvents(db: Store, auditor: Actor, planId: string, f: PlanEventsFilter): Promise<Result<PlanEvents>> {
  const mayAudit = authoriseAudit(auditor);
  if (!mayAudit.ok) return mayAudit;
  const plan = await planOf(db, planId);
  if (!plan) return fail('not_found', 'no such plan');
  // The same rule as the person's access report: the owning trust's auditors only.
  const allowed = authoriseAccessReport(auditor, plan.owningOrg);
  if (!allowed.ok) return allowed;
  await catchUpPlanLookup(db);
  const bounds = {
    from: f.from && new Date(f.from).toISOString(),
    to: f.to && new Date(f.to).toISOString(),
    before: f.before,
  };
  const rows = await eventsAboutPlan(db, planId, bounds, f.limit + 1);
  const page = rows.slice(0, f.limit);
  return ok({
    plan: { planId, externalRef: plan.externalRef, owningOrg: plan.owningOrg },
    events: page.map(presentEvent),
    nextBefore: rows.length > f.limit ? page.at(-1)!.seq : null,
  });
}
