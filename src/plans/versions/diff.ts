import type { Store } from '../../../db/runtime.js';
import { canonicalJson } from '../core/canonical.js';
import type { PlanRecord } from '../core/content.js';
import type { Actor } from '../core/actor.js';
import { authoriseVersionContent } from '../policy.js';
import { fail, ok, type Result } from '../core/result.js';
import { findPlan, findVersion, recordOf } from './store.js';

export type SectionChange = {
  section: string;
  change: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
};

/** Sections as an approver reads them: each demographic field, the locations, each plan section. */
function sectionsOf(record: PlanRecord): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(record.subject)) out.set(`subject.${k}`, v);
  out.set('locations', record.locations);
  for (const [k, v] of Object.entries(record.plan)) out.set(`plan.${k}`, v);
  for (const [k, v] of Object.entries(record.governance)) out.set(`governance.${k}`, v);
  return out;
}

const isEmpty = (v: unknown) => v === undefined || (Array.isArray(v) && v.length === 0);

export function diffRecords(before: PlanRecord, after: PlanRecord): { changes: SectionChange[]; unchanged: string[] } {
  const a = sectionsOf(before);
  const b = sectionsOf(after);
  const changes: SectionChange[] = [];
  const unchanged: string[] = [];
  for (const section of new Set([...a.keys(), ...b.keys()])) {
    const was = a.get(section);
    const now = b.get(section);
    if (isEmpty(was) && isEmpty(now)) continue;
    if (isEmpty(was)) changes.push({ section, change: 'added', after: now });
    else if (isEmpty(now)) changes.push({ section, change: 'removed', before: was });
    else if (canonicalJson(was) !== canonicalJson(now)) changes.push({ section, change: 'changed', before: was, after: now });
    else unchanged.push(section);
  }
  return { changes, unchanged };
}

/** A version with nothing before it, as sections: every one that has content, all of it new. */
export function wholeRecord(record: PlanRecord): SectionChange[] {
  return [...sectionsOf(record)].filter(([, v]) => !isEmpty(v)).map(([section, after]) => ({ section, change: 'added' as const, after }));
}

export async function diffVersions(
  db: Store,
  actor: Actor,
  planId: string,
  from: number,
  to: number,
): Promise<
  Result<{
    planId: string;
    from: number;
    to: number;
    changes: SectionChange[];
    unchanged: string[];
  }>
> {
  const plan = await findPlan(db, planId);
  if (!plan) return fail('not_found', 'no such plan');
  const allowed = authoriseVersionContent(actor, plan.owningOrg);
  if (!allowed.ok) return allowed;
  const a = await findVersion(db, planId, from);
  const b = await findVersion(db, planId, to);
  if (!a || !b) return fail('not_found', `plan has no version ${!a ? from : to}`);
  return ok({ planId, from, to, ...diffRecords(recordOf(a), recordOf(b)) });
}
