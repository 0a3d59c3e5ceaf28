import type { Db } from '../../../db/index.js';
import { flagId } from '../access-log/flags.js';
import { listAgreements, listOrganisationsView } from './governance.js';

/** How far back unreviewed emergency accesses are counted (the same reach as a flag review). */
const EMERGENCY_WINDOW_DAYS = 90;

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * The administrator's home, per organisation: what the NHS review found nobody was watching. Counts
 * and references only, no personal data.
 */
export function governanceOverview(db: Db, now: Date) {
  const today = now.toISOString().slice(0, 10);
  const soon = addDays(today, 30);
  const agreements = listAgreements(db, today, 'in-force');
  const plans = db.$client
    .prepare(
      `SELECT p.owning_org AS org,
              sum(v.review_by < @today) AS pastReview,
              sum(coalesce(json_extract(v.governance, '$.coProduced'), 0) <> 1) AS notCoProduced
       FROM plans p JOIN plan_versions v ON v.id = p.current_version_id GROUP BY p.owning_org`,
    )
    .all({ today }) as { org: string; pastReview: number; notCoProduced: number }[];
  const byOwner = new Map(plans.map((p) => [p.org, p]));
  const since = new Date(now.getTime() - EMERGENCY_WINDOW_DAYS * 86_400_000).toISOString();
  const emergencies = db.$client
    .prepare(
      `SELECT e.seq, p.owning_org AS org FROM access_events e JOIN plans p ON p.id = e.plan_id
       WHERE e.at >= ? AND e.outcome = 'emergency'`,
    )
    .all(since) as { seq: number; org: string }[];
  const reviewed = new Set(
    (db.$client
      .prepare(`SELECT json_extract(query, '$.flagId') AS id FROM access_events WHERE at >= ? AND action = 'flag-review' AND outcome = 'allowed'`)
      .all(since) as { id: string }[]).map((r) => r.id),
  );
  return {
    day: today,
    organisations: listOrganisationsView(db).map((o) => {
      const mine = agreements.filter((a) => a.parties.includes(o.slug));
      return {
        slug: o.slug,
        name: o.name,
        kind: o.kind,
        state: o.state,
        agreementsInForce: mine.map((a) => a.reference),
        agreementsExpiringWithin30Days: mine.filter((a) => a.validTo <= soon).map((a) => ({ reference: a.reference, validTo: a.validTo })),
        plansPastReviewDate: byOwner.get(o.slug)?.pastReview ?? 0,
        plansWithoutCoProduction: byOwner.get(o.slug)?.notCoProduced ?? 0,
        unreviewedEmergencyAccesses: emergencies.filter((e) => e.org === o.slug && !reviewed.has(flagId('emergency-access', String(e.seq)))).length,
      };
    }),
  };
}
