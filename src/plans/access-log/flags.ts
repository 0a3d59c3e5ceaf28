import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../../../db/runtime.js';
import type { StoredEvent } from './chain.js';
import { eventsInWindow, planOwners as ownersOf } from './events-store.js';

export const flagKinds = [
  'many-plans',
  'denied-no-agreement',
  'purpose-reused',
  'no-incident-reference',
  'search-no-open',
  'emergency-access',
  'search-rate-limited',
  'many-references',
  'reference-rate-limited',
] as const;
export type FlagKind = (typeof flagKinds)[number];

/**
 * The purpose recorded, without asking, when a trust's own authors and approvers open its plans in the
 * console: the work itself is the reason. Only for that (staff role, the plan their own trust's): typed
 * by anyone else it is judged like any other purpose.
 */
export const CARE_PLANNING = 'care planning';

/** The purpose the card prompt pre-fills: the card itself is the reason, so it needs no incident reference. */
export const CARD_PURPOSE = 'scanned patient card';

export type AccessFlag = {
  /** Stable across listings (a hash of kind and evidence key), so a review can refer to it. */
  id: string;
  kind: FlagKind;
  at: string;
  actor: { sub: string | null; org: string | null };
  planIds: string[];
  eventSeqs: number[];
  detail: string;
};

/** Thresholds: what counts as unusual. Defaults are a starting point for each organisation to tune. */
export type FlagRules = {
  manyPlans: { count: number; withinMinutes: number };
  purposeReuse: { plans: number };
  searchFollowUpMinutes: number;
  /**
   * Different plan references one person looks up (API and FHIR) within the window: references are
   * sequential per trust, so this is what walking through them looks like. Below the hard limit
   * (REF_LOOKUP_BURST), so the walk is flagged while it runs, before anything refuses it.
   */
  refLookups: { references: number; withinMinutes: number };
  /** An incident reference: letters and at least three digits, e.g. INC-2026-0042, CAD 4471. */
  incidentReference: RegExp;
};

export const defaultFlagRules: FlagRules = {
  manyPlans: { count: 10, withinMinutes: 15 },
  purposeReuse: { plans: 5 },
  searchFollowUpMinutes: 30,
  refLookups: { references: 6, withinMinutes: 60 },
  incidentReference: /[A-Za-z]{2,}[\s\-/#]?\d{2,}|\d{3,}/,
};

export const flagQuerySchema = z.strictObject({
  kind: z.enum(flagKinds).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type FlagQuery = z.infer<typeof flagQuerySchema>;

export const flagId = (kind: FlagKind, key: string) => createHash('sha256').update(`${kind}|${key}`).digest('base64url').slice(0, 22);

const minutes = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 60_000;
const opened = (e: StoredEvent) => e.planId !== null && e.outcome !== 'denied' && e.action !== 'audit-read';

/**
 * The reference a plan read asked for, when it was asked by reference (the API's `externalRef`, FHIR's
 * identifier: both note `{externalRef, org}`) and the look-up ran: found, concealed, missing or withdrawn,
 * not refused before it (no purpose, a bad query, the rate limit).
 */
function referenceLookedUp(e: StoredEvent): string | undefined {
  if (e.action !== 'view' || !e.query?.includes('"externalRef"')) return undefined;
  if (e.outcome === 'denied' && !/^(not_found|forbidden|gone)\b/.test(e.reason ?? '')) return undefined;
  const q = JSON.parse(e.query) as { externalRef?: unknown; org?: unknown };
  return typeof q.externalRef === 'string' ? `${String(q.org)}|${q.externalRef}` : undefined;
}

/**
 * Unusual access in the auditor's scope over a window (default: the last 7 days), computed on demand
 * from the log itself so a flag can always be traced to its events.
 */
export async function accessFlags(
  db: Store,
  scope: string,
  q: FlagQuery,
  now: Date,
  rules: FlagRules = defaultFlagRules,
): Promise<AccessFlag[]> {
  const from = q.from ? new Date(q.from).toISOString() : new Date(now.getTime() - 7 * 86_400_000).toISOString();
  const to = q.to ? new Date(q.to).toISOString() : now.toISOString();
  const events = await eventsInWindow(db, scope, from, to);
  const flags: AccessFlag[] = [];
  const owners = await planOwners(db, events);
  /** The care team's own work on its own plans: no incident reference to give, nor one purpose per plan. */
  const carePlanning = (e: StoredEvent) => {
    if (e.purpose !== CARE_PLANNING || !e.planId || owners.get(e.planId) !== e.actorOrg) return false;
    const roles = JSON.parse(e.actorRoles ?? '[]') as string[];
    return roles.includes('author') || roles.includes('approver');
  };
  // The key is what stays the same while a window slides or a burst grows: its first event, or for a
  // purpose, the actor and the purpose itself.
  const flag = (key: string, f: Omit<AccessFlag, 'id'>): AccessFlag => ({ id: flagId(f.kind, key), ...f });
  const actorOf = (e: StoredEvent) => ({ sub: e.actorSub, org: e.actorOrg });

  const byActor = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const key = `${e.actorOrg}|${e.actorSub}`;
    let list = byActor.get(key);
    if (!list) byActor.set(key, (list = []));
    list.push(e);
  }

  for (const list of byActor.values()) {
    // Many plans in a short time: a sliding window over this actor's reads.
    const reads = list.filter(opened);
    for (let i = 0, j = 0; j < reads.length; j++) {
      while (minutes(reads[i]!.at, reads[j]!.at) > rules.manyPlans.withinMinutes) i++;
      const window = reads.slice(i, j + 1);
      const plans = [...new Set(window.map((e) => e.planId!))];
      if (plans.length >= rules.manyPlans.count) {
        flags.push(
          flag(`${reads[j]!.actorOrg}|${reads[j]!.actorSub}|${window[0]!.seq}`, {
            kind: 'many-plans',
            at: window[0]!.at,
            actor: actorOf(reads[j]!),
            planIds: plans,
            eventSeqs: window.map((e) => e.seq),
            detail: `${plans.length} different plans opened within ${rules.manyPlans.withinMinutes} minutes`,
          }),
        );
        i = j + 1; // one flag per burst
      }
    }
    // Walking through references: many different ones looked up close together. The flag is dated at the
    // look-up that crossed the threshold and grows with the walk while it goes on (its id stays the same).
    const lookups = list.flatMap((e) => {
      const ref = referenceLookedUp(e);
      return ref === undefined ? [] : [{ e, ref }];
    });
    const { references, withinMinutes } = rules.refLookups;
    for (let i = 0, j = 0; j < lookups.length; j++) {
      while (minutes(lookups[i]!.e.at, lookups[j]!.e.at) > withinMinutes) i++;
      if (new Set(lookups.slice(i, j + 1).map((l) => l.ref)).size < references) continue;
      let k = j;
      while (k + 1 < lookups.length && minutes(lookups[k]!.e.at, lookups[k + 1]!.e.at) <= withinMinutes) k++;
      const walk = lookups.slice(i, k + 1);
      const refs = new Set(walk.map((l) => l.ref)).size;
      const plans = [...new Set(walk.flatMap((l) => (l.e.planId ? [l.e.planId] : [])))];
      const served = new Set(walk.filter((l) => opened(l.e)).map((l) => l.e.planId)).size;
      flags.push(
        flag(`${walk[0]!.e.actorOrg}|${walk[0]!.e.actorSub}|${walk[0]!.e.seq}`, {
          kind: 'many-references',
          at: lookups[j]!.e.at,
          actor: actorOf(lookups[j]!.e),
          planIds: plans,
          eventSeqs: walk.map((l) => l.e.seq),
          detail: `${refs} different plan references looked up, each within ${withinMinutes} minutes of the last; ${served} plan(s) opened`,
        }),
      );
      // One flag per walk: carry on after it.
      i = k + 1;
      j = k;
    }
    // The same purpose used across many plans, and purposes with no incident reference.
    const byPurpose = new Map<string, StoredEvent[]>();
    for (const e of reads) {
      if (!e.purpose || carePlanning(e)) continue;
      let uses = byPurpose.get(e.purpose);
      if (!uses) byPurpose.set(e.purpose, (uses = []));
      uses.push(e);
    }
    for (const [purpose, uses] of byPurpose) {
      const plans = [...new Set(uses.map((e) => e.planId!))];
      if (plans.length >= rules.purposeReuse.plans) {
        flags.push(
          flag(`${uses[0]!.actorOrg}|${uses[0]!.actorSub}|${purpose}`, {
            kind: 'purpose-reused',
            at: uses[0]!.at,
            actor: actorOf(uses[0]!),
            planIds: plans,
            eventSeqs: uses.map((e) => e.seq),
            detail: `the same purpose was given for ${plans.length} different plans`,
          }),
        );
      }
      // Typed for anything but a card scan, the card's wording is as empty as any other.
      const unreferenced = purpose === CARD_PURPOSE ? uses.filter((e) => e.channel !== 'qr') : uses;
      if (unreferenced.length && !rules.incidentReference.test(purpose)) {
        const plans = [...new Set(unreferenced.map((e) => e.planId!))];
        flags.push(
          flag(`${unreferenced[0]!.actorOrg}|${unreferenced[0]!.actorSub}|${purpose}`, {
            kind: 'no-incident-reference',
            at: unreferenced[0]!.at,
            actor: actorOf(unreferenced[0]!),
            planIds: plans,
            eventSeqs: unreferenced.map((e) => e.seq),
            detail: `purpose "${purpose}" carries no incident reference`,
          }),
        );
      }
    }
    // Searches after which none of the plans found was opened.
    // Only once the follow-up window has passed: a search a minute ago may still be followed up.
    const settled = (e: StoredEvent) => minutes(e.at, now.toISOString()) > rules.searchFollowUpMinutes;
    for (const s of list.filter((e) => e.action === 'search' && e.outcome !== 'denied' && settled(e))) {
      const results = new Set(JSON.parse(s.resultPlanIds ?? '[]') as string[]);
      const followed = reads.some((e) => e.seq > s.seq && results.has(e.planId!) && minutes(s.at, e.at) <= rules.searchFollowUpMinutes);
      if (!followed) {
        flags.push(
          flag(String(s.seq), {
            kind: 'search-no-open',
            at: s.at,
            actor: actorOf(s),
            planIds: [...results],
            eventSeqs: [s.seq],
            detail: `a search returned ${results.size} plan(s) and none was opened within ${rules.searchFollowUpMinutes} minutes`,
          }),
        );
      }
    }
  }

  for (const e of events) {
    if (e.outcome === 'denied' && e.reason?.includes('no-agreement')) {
      flags.push(
        flag(String(e.seq), {
          kind: 'denied-no-agreement',
          at: e.at,
          actor: actorOf(e),
          planIds: e.planId ? [e.planId] : [],
          eventSeqs: [e.seq],
          detail: `refused: ${e.actorOrg} has no data-sharing agreement covering this plan`,
        }),
      );
    }
    // Searching faster than anyone does at an incident: the limit stopped it, the auditor should know why.
    if (e.action === 'search' && e.outcome === 'denied' && e.reason?.startsWith('rate-limited')) {
      const more = e.reason.includes('(summary)')
        ? (JSON.parse(e.query ?? '{}') as { summary?: { refusals?: number } }).summary?.refusals
        : undefined;
      flags.push(
        flag(String(e.seq), {
          kind: 'search-rate-limited',
          at: e.at,
          actor: actorOf(e),
          planIds: [],
          eventSeqs: [e.seq],
          detail: more ? `${more} more searches refused by the per-person limit in one window` : 'searches stopped by the per-person limit',
        }),
      );
    }
    // Looking plans up by reference faster than the per-person limit allows.
    if (e.action === 'view' && e.outcome === 'denied' && e.reason?.startsWith('rate-limited')) {
      const more = e.reason.includes('(summary)')
        ? (JSON.parse(e.query ?? '{}') as { summary?: { refusals?: number } }).summary?.refusals
        : undefined;
      flags.push(
        flag(String(e.seq), {
          kind: 'reference-rate-limited',
          at: e.at,
          actor: actorOf(e),
          planIds: [],
          eventSeqs: [e.seq],
          detail: more
            ? `${more} more look-ups by reference refused by the per-person limit in one window`
            : 'look-ups by reference stopped by the per-person limit',
        }),
      );
    }
    if (e.outcome === 'emergency') {
      flags.push(
        flag(String(e.seq), {
          kind: 'emergency-access',
          at: e.at,
          actor: actorOf(e),
          planIds: e.planId ? [e.planId] : [],
          eventSeqs: [e.seq],
          detail: `emergency access without an agreement; reason given: "${e.reason ?? ''}"`,
        }),
      );
    }
  }
  return flags.filter((f) => !q.kind || f.kind === q.kind).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

/** Which organisation owns each plan the events name. */
async function planOwners(db: Store, events: readonly StoredEvent[]): Promise<Map<string, string>> {
  const ids = [...new Set(events.filter((e) => e.purpose === CARE_PLANNING && e.planId).map((e) => e.planId!))];
  if (!ids.length) return new Map();
  return new Map((await ownersOf(db, ids)).map((r) => [r.id, r.org]));
}
