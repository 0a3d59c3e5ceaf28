// What the administrator's overview counts (governance/summary.ts), written once for both dialects.
import { and, eq, gte, sql } from 'drizzle-orm';
import type { Store } from '../../../db/runtime.js';

/** Per owning organisation, of plans with a published version: past their review date, not co-produced. */
export function planGovernanceCounts(db: Store, today: string) {
  const { plans: p, planVersions: v } = db.t;
  // The one field read out of the stored governance record: JSON text on SQLite, jsonb on PostgreSQL.
  const coProduced =
    db.kind === 'pg' ? sql`(${v.governance} ->> 'coProduced') = 'true'` : sql`json_extract(${v.governance}, '$.coProduced') = 1`;
  const count = (when: ReturnType<typeof sql>) => sql<number>`cast(sum(case when ${when} then 1 else 0 end) as integer)`.mapWith(Number);
  return db.many(
    db.q
      .select({
        org: p.owningOrg,
        pastReview: count(sql`${v.reviewBy} < ${today}`),
        notCoProduced: count(sql`not coalesce(${coProduced}, false)`),
      })
      .from(p)
      .innerJoin(v, eq(v.id, p.currentVersionId))
      .groupBy(p.owningOrg),
  );
}

/** Emergency accesses since `since`, each with the organisation that owns the plan opened. */
export function emergencyAccessesSince(db: Store, since: string) {
  const { accessEvents: e, plans: p } = db.t;
  return db.many(
    db.q
      .select({ seq: e.seq, org: p.owningOrg })
      .from(e)
      .innerJoin(p, eq(p.id, e.planId))
      .where(and(gte(e.at, since), eq(e.outcome, 'emergency'))),
  );
}

/** The flags reviewed since `since`: each review's event names the flag in its query (stored JSON text). */
export async function reviewedFlagIdsSince(db: Store, since: string): Promise<Set<string>> {
  const { accessEvents: e } = db.t;
  const rows = await db.many(
    db.q
      .select({ query: e.query })
      .from(e)
      .where(and(gte(e.at, since), eq(e.action, 'flag-review'), eq(e.outcome, 'allowed'))),
  );
  const ids = rows.map((r) => (r.query ? (JSON.parse(r.query) as { flagId?: unknown }).flagId : undefined));
  return new Set(ids.filter((id): id is string => typeof id === 'string'));
}
