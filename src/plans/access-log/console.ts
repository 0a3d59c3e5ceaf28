import type { Store } from '../../../db/runtime.js';
import { eventsBySeqInScope, plansNamed, versionNumbersOf } from './events-store.js';
import { listEvents, presentEvent, type EventFilter, type PresentedEvent } from './queries.js';

/** What the auditor console needs beyond the raw query: who a plan id is, evidence by sequence number, exports. */

export type PersonRef = { planId: string; externalRef: string; name: string | null };

/**
 * The people behind plan ids, for the auditor's own organisation's plans only: a search that surfaced
 * another trust's people shows them as a count, never by name.
 */
export async function peopleOf(db: Store, scope: string, planIds: readonly string[]): Promise<Map<string, PersonRef>> {
  const ids = [...new Set(planIds)];
  if (!ids.length) return new Map();
  const rows = await plansNamed(db, scope, ids);
  return new Map(rows.map((r) => [r.planId, { ...r, name: r.name || null }]));
}

/**
 * The plan's own version number behind each version row id an event recorded (events keep the row id: it
 * is what the hash chain covers), so people read "version 3", not a database key.
 */
export async function versionNumbers(db: Store, versionIds: readonly (number | null)[]): Promise<Map<number, number>> {
  const ids = [...new Set(versionIds.filter((v): v is number => v !== null))];
  if (!ids.length) return new Map();
  const rows = await versionNumbersOf(db, ids);
  return new Map(rows.map((r) => [r.id, r.version]));
}

/** A flag's evidence: its events, within the auditor's scope (the flag was computed from the same). */
export async function eventsBySeq(db: Store, scope: string, seqs: readonly number[]): Promise<PresentedEvent[]> {
  if (!seqs.length) return [];
  return (await eventsBySeqInScope(db, scope, seqs)).map(presentEvent);
}

/** The whole search, newest first, a page at a time up to `max` rows; `nextCursor` says where it stopped. */
export async function collectEvents(db: Store, scope: string, filter: EventFilter, max: number) {
  const events: PresentedEvent[] = [];
  let cursor = filter.cursor;
  do {
    const page = await listEvents(db, scope, { ...filter, cursor, limit: 500 });
    events.push(...page.events);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && events.length < max);
  return { events: events.slice(0, max), nextCursor: events.length > max ? String(events[max - 1]!.seq) : (cursor ?? null) };
}
