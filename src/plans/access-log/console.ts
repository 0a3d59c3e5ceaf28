import type { Db } from '../../../db/index.js';
import type { StoredEvent } from './chain.js';
import { EVENT_COLUMNS, listEvents, presentEvent, SCOPE_SQL, type EventFilter, type PresentedEvent } from './queries.js';

/** What the auditor console needs beyond the raw query: who a plan id is, evidence by sequence number, exports. */

export type PersonRef = { planId: string; externalRef: string; name: string | null };

/**
 * The people behind plan ids, for the auditor's own organisation's plans only: a search that surfaced
 * another trust's people shows them as a count, never by name.
 */
export function peopleOf(db: Db, scope: string, planIds: readonly string[]): Map<string, PersonRef> {
  const ids = [...new Set(planIds)];
  if (!ids.length) return new Map();
  const rows = db.$client
    .prepare(
      `SELECT p.id AS planId, p.external_ref AS externalRef,
              trim(coalesce(json_extract(v.subject, '$.givenNames'), '') || ' ' || coalesce(json_extract(v.subject, '$.familyName'), '')) AS name
       FROM plans p
       LEFT JOIN plan_versions v ON v.id = coalesce(p.current_version_id, (SELECT max(id) FROM plan_versions WHERE plan_id = p.id))
       WHERE p.owning_org = @scope AND p.id IN (SELECT value FROM json_each(@ids))`,
    )
    .all({ scope, ids: JSON.stringify(ids) }) as PersonRef[];
  return new Map(rows.map((r) => [r.planId, { ...r, name: r.name || null }]));
}

/**
 * The plan's own version number behind each version row id an event recorded (events keep the row id: it
 * is what the hash chain covers), so people read "version 3", not a database key.
 */
export function versionNumbers(db: Db, versionIds: readonly (number | null)[]): Map<number, number> {
  const ids = [...new Set(versionIds.filter((v): v is number => v !== null))];
  if (!ids.length) return new Map();
  const rows = db.$client
    .prepare(`SELECT id, version FROM plan_versions WHERE id IN (SELECT value FROM json_each(@ids))`)
    .all({ ids: JSON.stringify(ids) }) as { id: number; version: number }[];
  return new Map(rows.map((r) => [r.id, r.version]));
}

/** A flag's evidence: its events, within the auditor's scope (the flag was computed from the same). */
export function eventsBySeq(db: Db, scope: string, seqs: readonly number[]): PresentedEvent[] {
  if (!seqs.length) return [];
  const rows = db.$client
    .prepare(`SELECT ${EVENT_COLUMNS} FROM access_events e WHERE e.seq IN (SELECT value FROM json_each(@seqs)) AND ${SCOPE_SQL} ORDER BY e.seq DESC`)
    .all({ scope, seqs: JSON.stringify(seqs) }) as StoredEvent[];
  return rows.map(presentEvent);
}

/** The whole search, newest first, a page at a time up to `max` rows; `nextCursor` says where it stopped. */
export function collectEvents(db: Db, scope: string, filter: EventFilter, max: number) {
  const events: PresentedEvent[] = [];
  let cursor = filter.cursor;
  do {
    const page = listEvents(db, scope, { ...filter, cursor, limit: 500 });
    events.push(...page.events);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && events.length < max);
  return { events: events.slice(0, max), nextCursor: events.length > max ? String(events[max - 1]!.seq) : (cursor ?? null) };
}
