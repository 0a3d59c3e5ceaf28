// Builds access_event_plans (which events concern which plan) from the access log, after the events are
// committed. Plain JS: the writer thread runs it when idle, and the main thread before any query that
// reads the lookup. Each pass is one IMMEDIATE transaction, so passes from two connections never overlap.

/** Every (plan, event) pair the log holds for events in (@from, @to]: the lookup's content by definition. */
export const PLAN_REFERENCES_SQL = `
    SELECT plan_id, seq FROM access_events WHERE seq > @from AND seq <= @to AND plan_id IS NOT NULL
    UNION
    SELECT j.value, e.seq FROM access_events e, json_each(e.result_plan_ids) j
      WHERE e.seq > @from AND e.seq <= @to AND e.result_plan_ids IS NOT NULL AND j.type = 'text'`;

const SQL = {
  state: 'SELECT indexed_seq FROM access_index_state WHERE id = 1',
  head: 'SELECT coalesce(max(seq), 0) FROM access_events',
  // The plan an event opened, and every plan a search returned; sorted so the inserts walk the B-tree.
  insert: `INSERT OR IGNORE INTO access_event_plans (plan_id, seq) ${PLAN_REFERENCES_SQL} ORDER BY 1, 2`,
  advance: 'UPDATE access_index_state SET indexed_seq = @to WHERE id = 1',
};

/**
 * A pass function for one better-sqlite3 connection: indexes up to `maxEvents`; returns how many remain.
 * @param {import('better-sqlite3').Database} db
 */
export function accessIndexer(db) {
  const state = /** @type {import('better-sqlite3').Statement<[], number>} */ (db.prepare(SQL.state).pluck());
  const head = /** @type {import('better-sqlite3').Statement<[], number>} */ (db.prepare(SQL.head).pluck());
  const insert = db.prepare(SQL.insert);
  const advance = db.prepare(SQL.advance);
  const pass = db.transaction((/** @type {number} */ maxEvents) => {
    const from = state.get() ?? 0;
    const last = head.get() ?? 0;
    const to = Math.min(last, from + maxEvents);
    if (to > from) {
      insert.run({ from, to });
      advance.run({ to });
    }
    return last - to;
  });
  return {
    /** Indexes up to `maxEvents` more events in one transaction; returns how many remain. */
    pass: (/** @type {number} */ maxEvents) => pass.immediate(maxEvents),
    /** Events committed but not yet in the lookup (cheap: two primary-key reads). */
    backlog: () => (head.get() ?? 0) - (state.get() ?? 0),
  };
}
