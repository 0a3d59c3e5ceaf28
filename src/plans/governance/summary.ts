import type { Store } from '../../../db/runtime.js';
import { flagId } from '../access-log/flags.js';
import { listAgreements, listOrganisationsView } from './governance.js';
import { emergencyAccessesSince, planGovernanceCounts, reviewedFlagIdsSince } from './summary-store.js';

/** How far back unreviewed emergency accesses are counted (the same reach as a flag review). */
const EMERGENCY_WINDOW_DAYS = 90;

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * The administrator's home, per organisation: what the NHS review found nobody was watching. Counts
 * and references only, no personal data.
 */
export async function governanceOverview(db: Store, now: Date) {
  const today = now.toISOString().slice(0, 10);
  const soon = addDays(today, 30);
  const agreements = await listAgreements(db, today, 'in-force');
  const byOwner = new Map((await planGovernanceCounts(db, today)).map((p) => [p.org, p]));
  const since = new Date(now.getTime() - EMERGENCY_WINDOW_DAYS * 86_400_000).toISOString();
  const emergencies = await emergencyAccessesSince(db, since);
  const reviewed = await reviewedFlagIdsSince(db, since);
  const organisations = await listOrganisationsView(db);
  return {
    day: today,
    organisations: organisations.map((o) => {
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
        unreviewedEmergencyAccesses: emergencies.filter((e) => e.org === o.slug && !reviewed.has(flagId('emergency-access', String(e.seq))))
          .length,
      };
    }),
  };
}
