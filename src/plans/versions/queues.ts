import { z } from 'zod';
import type { Store } from '../../../db/runtime.js';
import type { Actor } from '../core/actor.js';
import type { PlanRecord, Subject } from '../core/content.js';
import { isoDay } from '../core/clock.js';
import { ok, reasonOf } from '../core/result.js';
import { authoriseApproval, authoriseConsole, authoriseReviewQueue } from '../policy.js';
import { diffRecords } from './diff.js';
import { countWords } from './readability.js';
import { plansForHome, recordOf, versionsInReview } from './store.js';
import { changeSize } from './word-diff.js';

/** The console's two lists: the approver's queue and the author's home. Own organisation only (policy.ts). */

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) => isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
const nameOf = (s: Subject) => `${s.preferredName ? `${s.givenNames} (${s.preferredName})` : s.givenNames} ${s.familyName}`;
/** Versions waiting for an approver, oldest first, with who wrote them, how long they have waited and how much changed. */
export async function reviewQueue(db: Store, actor: Actor, now: Date) {
  const allowed = authoriseReviewQueue(actor);
  if (!allowed.ok) return allowed;
  const rows = await versionsInReview(db, allowed.value.scope);
  return ok(
    rows.map((r) => {
      const v = r.version;
      const proposal = recordOf(v);
      const base: PlanRecord | undefined = r.base
        ? { subject: r.base.subject, locations: r.base.locations, plan: r.base.content, governance: r.base.governance }
        : undefined;
      const waitingMs = v.submittedAt ? now.getTime() - Date.parse(v.submittedAt) : 0;
      const authors = v.authors;
      const approval = authoriseApproval(
        actor,
        { owningOrg: allowed.value.scope, currentVersionId: r.currentVersionId },
        { authors, baseVersionId: v.baseVersionId },
      );
      return {
        planId: r.planId,
        externalRef: r.externalRef,
        version: v.version,
        name: nameOf(proposal.subject),
        authors,
        /** Whether policy.ts lets this approver approve it, and if not why (`four-eyes`, `stale-base`): the queue offers only what would succeed. */
        mayApprove: approval.ok,
        notApprovable: reasonOf(approval),
        submittedBy: v.submittedBy,
        submittedAt: v.submittedAt,
        waitingHours: Math.max(0, Math.floor(waitingMs / 3_600_000)),
        firstVersion: base === undefined,
        change: base
          ? changeSize(diffRecords(base, proposal).changes)
          : { sections: null, wordsAdded: countWords(JSON.stringify(proposal.plan)), wordsRemoved: 0 },
      };
    }),
  );
}
export type ReviewItem = Extract<Awaited<ReturnType<typeof reviewQueue>>, { ok: true }>['value'][number];

export const homeFilters = ['all', 'draft', 'in-review', 'returned', 'published', 'due', 'overdue', 'withdrawn'] as const;
export type HomeFilter = (typeof homeFilters)[number];
export const homeQuerySchema = z.object({
  q: z.string().trim().max(100, { error: 'must be at most 100 characters' }).default(''),
  filter: z.enum(homeFilters, { error: 'is not one of the filters' }).default('all'),
});
export type HomeQuery = z.infer<typeof homeQuerySchema>;

/** Where a plan stands, as its author reads it. "Returned" is a draft whose last step was an approver's return. */
export type PlanState = 'draft' | 'in-review' | 'returned' | 'published' | 'withdrawn';

const HOME_PAGE_SIZE = 50;

/** The trust's plans for the author's home: search by name or reference, filter by state or review date. */
export async function authorHome(db: Store, actor: Actor, query: HomeQuery, now: Date) {
  const allowed = authoriseConsole(actor);
  if (!allowed.ok) return allowed;
  const today = isoDay(now);
  const soon = addDays(today, 30);
  const rows = await plansForHome(db, allowed.value.scope);
  const items = rows.map((r) => {
    const subject = r.subject;
    const state: PlanState =
      r.status === 'in-review'
        ? 'in-review'
        : r.status === 'draft'
          ? r.lastAction === 'rejected'
            ? 'returned'
            : 'draft'
          : r.currentVersion !== null
            ? 'published'
            : 'withdrawn';
    const reviewBy = r.currentReviewBy;
    return {
      planId: r.planId,
      externalRef: r.externalRef,
      name: nameOf(subject),
      aliases: subject.aliases,
      state,
      latestVersion: r.version,
      currentVersion: r.currentVersion,
      reviewBy,
      overdue: reviewBy !== null && reviewBy < today,
      dueSoon: reviewBy !== null && reviewBy >= today && reviewBy <= soon,
      lastTouched: r.lastActor ? { by: r.lastActor, action: r.lastAction!, at: r.lastAt! } : null,
      returnComment: state === 'returned' ? r.lastComment : null,
    };
  });
  type Item = (typeof items)[number];
  const matches: Record<HomeFilter, (i: Item) => boolean> = {
    all: () => true,
    draft: (i) => i.state === 'draft',
    'in-review': (i) => i.state === 'in-review',
    returned: (i) => i.state === 'returned',
    published: (i) => i.currentVersion !== null,
    due: (i) => i.currentVersion !== null && i.dueSoon,
    overdue: (i) => i.currentVersion !== null && i.overdue,
    withdrawn: (i) => i.state === 'withdrawn',
  };
  const needle = query.q.toLowerCase();
  const searched = needle
    ? items.filter((i) => [i.name, i.externalRef, ...i.aliases].some((s) => s.toLowerCase().includes(needle)))
    : items;
  const counts = Object.fromEntries(homeFilters.map((f) => [f, searched.filter(matches[f]).length])) as Record<HomeFilter, number>;
  const shown = searched.filter(matches[query.filter]);
  return ok({ items: shown.slice(0, HOME_PAGE_SIZE), matching: shown.length, counts, pageSize: HOME_PAGE_SIZE });
}
export type HomeItem = Extract<Awaited<ReturnType<typeof authorHome>>, { ok: true }>['value']['items'][number];
