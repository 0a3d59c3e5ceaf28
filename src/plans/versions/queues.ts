import { z } from 'zod';
import type { Db } from '../../../db/index.js';
import type { Actor } from '../core/actor.js';
import type { PlanRecord, Subject } from '../core/content.js';
import { isoDay } from '../core/clock.js';
import { ok, reasonOf } from '../core/result.js';
import { authoriseApproval, authoriseConsole, authoriseReviewQueue } from '../policy.js';
import { diffRecords } from './diff.js';
import { countWords } from './readability.js';
import { changeSize } from './word-diff.js';

/** The console's two lists: the approver's queue and the author's home. Own organisation only (policy.ts). */

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) => isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
const nameOf = (s: Subject) => `${s.preferredName ? `${s.givenNames} (${s.preferredName})` : s.givenNames} ${s.familyName}`;
const parse = <T>(json: string | null): T | undefined => (json === null ? undefined : (JSON.parse(json) as T));

type ReviewRow = {
  planId: string;
  externalRef: string;
  version: number;
  subject: string;
  locations: string;
  content: string;
  governance: string;
  authors: string;
  baseVersionId: number | null;
  currentVersionId: number | null;
  submittedBy: string | null;
  submittedAt: string | null;
  b_subject: string | null;
  b_locations: string | null;
  b_content: string | null;
  b_governance: string | null;
};

const recordOfRow = (r: Record<string, string | null>, prefix = ''): PlanRecord | undefined => {
  const get = (k: string) => r[`${prefix}${k}`] ?? null;
  if (get('subject') === null) return undefined;
  return { subject: parse(get('subject'))!, locations: parse(get('locations'))!, plan: parse(get('content'))!, governance: parse(get('governance'))! };
};

/** Versions waiting for an approver, oldest first, with who wrote them, how long they have waited and how much changed. */
export function reviewQueue(db: Db, actor: Actor, now: Date) {
  const allowed = authoriseReviewQueue(actor);
  if (!allowed.ok) return allowed;
  const rows = db.$client
    .prepare(
      `SELECT p.id AS planId, p.external_ref AS externalRef, v.version, v.subject, v.locations, v.content, v.governance,
              v.authors, v.base_version_id AS baseVersionId, p.current_version_id AS currentVersionId,
              v.submitted_by AS submittedBy, v.submitted_at AS submittedAt,
              b.subject AS b_subject, b.locations AS b_locations, b.content AS b_content, b.governance AS b_governance
       FROM plan_versions v JOIN plans p ON p.id = v.plan_id
       LEFT JOIN plan_versions b ON b.id = v.base_version_id
       WHERE p.owning_org = ? AND v.status = 'in-review'
       ORDER BY v.submitted_at ASC, v.id ASC`,
    )
    .all(allowed.value.scope) as ReviewRow[];
  return ok(
    rows.map((r) => {
      const proposal = recordOfRow(r as unknown as Record<string, string | null>)!;
      const base = recordOfRow(r as unknown as Record<string, string | null>, 'b_');
      const waitingMs = r.submittedAt ? now.getTime() - Date.parse(r.submittedAt) : 0;
      const authors = JSON.parse(r.authors) as string[];
      const approval = authoriseApproval(actor, { owningOrg: allowed.value.scope, currentVersionId: r.currentVersionId }, { authors, baseVersionId: r.baseVersionId });
      return {
        planId: r.planId,
        externalRef: r.externalRef,
        version: r.version,
        name: nameOf(proposal.subject),
        authors,
        /** Whether policy.ts lets this approver approve it, and if not why (`four-eyes`, `stale-base`): the queue offers only what would succeed. */
        mayApprove: approval.ok,
        notApprovable: reasonOf(approval),
        submittedBy: r.submittedBy,
        submittedAt: r.submittedAt,
        waitingHours: Math.max(0, Math.floor(waitingMs / 3_600_000)),
        firstVersion: base === undefined,
        change: base ? changeSize(diffRecords(base, proposal).changes) : { sections: null, wordsAdded: countWords(JSON.stringify(proposal.plan)), wordsRemoved: 0 },
      };
    }),
  );
}
export type ReviewItem = Extract<ReturnType<typeof reviewQueue>, { ok: true }>['value'][number];

export const homeFilters = ['all', 'draft', 'in-review', 'returned', 'published', 'due', 'overdue', 'withdrawn'] as const;
export type HomeFilter = (typeof homeFilters)[number];
export const homeQuerySchema = z.object({
  q: z.string().trim().max(100, { error: 'must be at most 100 characters' }).default(''),
  filter: z.enum(homeFilters, { error: 'is not one of the filters' }).default('all'),
});
export type HomeQuery = z.infer<typeof homeQuerySchema>;

/** Where a plan stands, as its author reads it. "Returned" is a draft whose last step was an approver's return. */
export type PlanState = 'draft' | 'in-review' | 'returned' | 'published' | 'withdrawn';

type HomeRow = {
  planId: string;
  externalRef: string;
  withdrawnAt: string | null;
  currentVersion: number | null;
  currentReviewBy: string | null;
  version: number;
  status: string;
  subject: string;
  lastAction: string | null;
  lastActor: string | null;
  lastAt: string | null;
  lastComment: string | null;
};

const HOME_PAGE_SIZE = 50;

/** The trust's plans for the author's home: search by name or reference, filter by state or review date. */
export function authorHome(db: Db, actor: Actor, query: HomeQuery, now: Date) {
  const allowed = authoriseConsole(actor);
  if (!allowed.ok) return allowed;
  const today = isoDay(now);
  const soon = addDays(today, 30);
  const rows = db.$client
    .prepare(
      `SELECT p.id AS planId, p.external_ref AS externalRef, p.withdrawn_at AS withdrawnAt,
              c.version AS currentVersion, c.review_by AS currentReviewBy,
              v.version, v.status, v.subject,
              e.action AS lastAction, e.actor AS lastActor, e.at AS lastAt, e.comment AS lastComment
       FROM plans p
       JOIN plan_versions v ON v.plan_id = p.id AND v.version = (SELECT max(version) FROM plan_versions WHERE plan_id = p.id)
       LEFT JOIN plan_versions c ON c.id = p.current_version_id
       LEFT JOIN workflow_events e ON e.id = (SELECT max(id) FROM workflow_events WHERE plan_id = p.id)
       WHERE p.owning_org = ?
       ORDER BY coalesce(e.at, p.updated_at) DESC`,
    )
    .all(allowed.value.scope) as HomeRow[];
  const items = rows.map((r) => {
    const subject = JSON.parse(r.subject) as Subject;
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
export type HomeItem = Extract<ReturnType<typeof authorHome>, { ok: true }>['value']['items'][number];
