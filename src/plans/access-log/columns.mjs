// The access event's fields, defined once: the writer thread inserts them, the chain hash covers them,
// the verifier and the auditor's queries read them back. Plain JS so the writer thread can load it.

/**
 * An access event's content, as stored: text is already in its stored form (log.ts) and the JSON
 * fields are the exact strings written, so hashes re-verify.
 * @typedef {{
 *   at: string; actorSub: string | null; actorOrg: string | null; actorRoles: string | null;
 *   action: string; channel: string; purpose: string | null; planId: string | null;
 *   versionId: number | null; query: string | null; resultPlanIds: string | null;
 *   outcome: string; reason: string | null;
 * }} EventBody
 */

/** @typedef {EventBody & { seq: number; prevHash: string; hash: string }} StoredEvent */

/**
 * Each field of EventBody and its column in access_events, in the hash's order (sorted by field name:
 * the canonical JSON of the flat body without sorting on the hot path).
 * @type {ReadonlyArray<readonly [keyof EventBody, string]>}
 */
export const EVENT_FIELDS = Object.freeze([
  ['action', 'action'],
  ['actorOrg', 'actor_org'],
  ['actorRoles', 'actor_roles'],
  ['actorSub', 'actor_sub'],
  ['at', 'at'],
  ['channel', 'channel'],
  ['outcome', 'outcome'],
  ['planId', 'plan_id'],
  ['purpose', 'purpose'],
  ['query', 'query'],
  ['reason', 'reason'],
  ['resultPlanIds', 'result_plan_ids'],
  ['versionId', 'version_id'],
]);

/** The field names alone, in the same order (the hot paths index into this instead of destructuring pairs). */
export const EVENT_FIELD_NAMES = Object.freeze(EVENT_FIELDS.map(([f]) => f));

/**
 * One event row with its chain position, positional: seq, each field in EVENT_FIELDS order, prev hash,
 * hash (see eventRow). Named parameters cost the writer thread twice as much per event (measured: 65 vs
 * 43 µs of CPU per event, whole process, 40,000 events).
 */
export const INSERT_EVENT_SQL = `INSERT INTO access_events (seq, ${EVENT_FIELDS.map(([, c]) => c).join(', ')}, prev_hash, hash)
   VALUES (?, ${EVENT_FIELDS.map(() => '?').join(', ')}, ?, ?)`;

/**
 * INSERT_EVENT_SQL's parameters for one event.
 * @param {EventBody} e @param {number} seq @param {string} prevHash @param {string} hash
 * @returns {unknown[]}
 */
export function eventRow(e, seq, prevHash, hash) {
  /** @type {unknown[]} */
  const row = [seq];
  for (const f of EVENT_FIELD_NAMES) row.push(e[f]);
  row.push(prevHash, hash);
  return row;
}

/**
 * The SELECT list that reads a StoredEvent back from access_events under `alias` (`e` in the auditor's
 * queries), each column named as its field.
 * @param {string} [alias]
 */
export function eventColumns(alias = 'e') {
  const col = (/** @type {string} */ c) => (alias ? `${alias}.${c}` : c);
  return [
    `${col('seq')}`,
    ...EVENT_FIELDS.map(([f, c]) => (f === c ? col(c) : `${col(c)} AS ${f}`)),
    `${col('prev_hash')} AS prevHash`,
    col('hash'),
  ].join(', ');
}
