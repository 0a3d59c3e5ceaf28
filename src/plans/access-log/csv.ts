import type { Store } from '../../../db/runtime.js';
import { collectEvents, versionNumbers } from './console.js';
import type { EventFilter, PresentedEvent } from './queries.js';

/** The most rows one export carries; a wider search is narrowed by date. */
export const CSV_MAX_ROWS = 10_000;

/** The whole search as CSV, up to CSV_MAX_ROWS (collectEvents); `nextCursor` says where it stopped when there was more. */
export async function exportEvents(db: Store, scope: string, filter: EventFilter): Promise<{ csv: string; nextCursor?: string }> {
  const { events, nextCursor } = await collectEvents(db, scope, filter, CSV_MAX_ROWS);
  return {
    csv: eventsCsv(
      events,
      await versionNumbers(
        db,
        events.map((e) => e.versionId),
      ),
    ),
    nextCursor: nextCursor ?? undefined,
  };
}

const header = [
  'seq',
  'at',
  'actor',
  'actor_org',
  'actor_roles',
  'action',
  'channel',
  'purpose',
  'plan_id',
  'version',
  'outcome',
  'reason',
  'query',
  'returned_plan_ids',
  'hash',
];

/**
 * One CSV cell. Purposes and reasons are free text typed by responders: a cell a spreadsheet would read
 * as a formula (= + - @, or tab/CR that some treat the same) is prefixed with an apostrophe, then
 * quoted per RFC 4180 when it holds a comma, quote or line break.
 */
export function csvCell(value: unknown): string {
  let s =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `versions`: the plan's version number per version row id (console.ts versionNumbers). */
export function eventsCsv(events: PresentedEvent[], versions: ReadonlyMap<number, number>): string {
  const rows = events.map((e) =>
    [
      e.seq,
      e.at,
      e.actor?.sub,
      e.actor?.org,
      e.actor?.roles.join(' '),
      e.action,
      e.channel,
      e.purpose,
      e.planId,
      e.versionId === null ? null : versions.get(e.versionId),
      e.outcome,
      e.reason,
      e.query,
      e.resultPlanIds?.join(' '),
      e.hash,
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`;
}
