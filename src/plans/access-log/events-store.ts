// The access log's read side, written once for both dialects (db/runtime.ts): the auditor's queries, the
// person's report, flags' evidence, the per-plan lookup's catch-up and the newest checkpoint. The events'
// JSON columns are text in both dialects (the stored string is what was hashed); only where a statement
// looks inside them does it differ, in the few fragments below.
import { and, desc, eq, lt, max, sql, type SQL } from 'drizzle-orm';
import { lock, one, run, type Store } from '../../../db/runtime.js';
import type { OrgKind } from '../core/content.js';
import type { SignedCheckpoint, StoredEvent } from './chain.js';
import { EVENT_FIELDS } from './columns.mjs';

// ---- What cannot be written once: looking inside JSON (SQLite json_each/json_extract, PostgreSQL jsonb). ----

const JSON_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

/** A JSON object's member as text (`json_extract` / `->>`); `doc` is JSON text or (on PostgreSQL) jsonb. */
function jsonField(db: Store, doc: SQL, key: string): SQL {
  if (!JSON_KEY.test(key)) throw new Error(`not a JSON key: ${key}`);
  return db.kind === 'pg' ? sql`((${doc})::jsonb ->> ${sql.raw(`'${key}'`)})` : sql`json_extract(${doc}, ${sql.raw(`'$.${key}'`)})`;
}

/**
 * The elements of a JSON array held as text, as a table source named `alias` (lateral: it may name the
 * row it belongs to), with each element's text and whether it is a JSON string.
 */
function jsonElements(db: Store, array: SQL, alias: string): { from: SQL; value: SQL; isString: SQL } {
  const a = sql.raw(alias);
  return db.kind === 'pg'
    ? {
        from: sql`jsonb_array_elements((${array})::jsonb) AS ${a}(elem)`,
        value: sql`(${a}.elem #>> '{}')`,
        isString: sql`jsonb_typeof(${a}.elem) = 'string'`,
      }
    : { from: sql`json_each(${array}) AS ${a}`, value: sql`${a}.value`, isString: sql`${a}.type = 'text'` };
}

/** Whether the JSON array held as text in `array` has the string `value` among its elements. */
export function jsonArrayHas(db: Store, array: SQL, value: SQL | string): SQL {
  return db.kind === 'pg'
    ? sql`((${array})::jsonb @> jsonb_build_array((${value})::text))`
    : sql`EXISTS (SELECT 1 FROM json_each(${array}) j WHERE j.value = ${value})`;
}

/** Whether the JSON object held as text in `doc` has, under `key`, an array with the string `value`. */
function jsonMemberHas(db: Store, doc: SQL, key: string, value: string): SQL {
  if (!JSON_KEY.test(key)) throw new Error(`not a JSON key: ${key}`);
  return db.kind === 'pg'
    ? sql`(((${doc})::jsonb -> ${sql.raw(`'${key}'`)}) @> jsonb_build_array(${value}::text))`
    : sql`EXISTS (SELECT 1 FROM json_each(${doc}, ${sql.raw(`'$.${key}'`)}) g WHERE g.value = ${value})`;
}

/** The values of a JSON array passed as one parameter, as a subquery for `x IN …` (no cap on how many). */
function listOf(db: Store, values: readonly (string | number)[], type: 'text' | 'integer'): SQL {
  const json = JSON.stringify(values);
  if (db.kind === 'sqlite') return sql`(SELECT value FROM json_each(${json}))`;
  return type === 'text'
    ? sql`(SELECT jsonb_array_elements_text(${json}::jsonb))`
    : sql`(SELECT (jsonb_array_elements_text(${json}::jsonb))::bigint)`;
}

/** Whether `needle` occurs in `text`, case as given (instr / strpos: LIKE would fold case in SQLite). */
function contains(db: Store, text: SQL, needle: SQL | string): SQL {
  return db.kind === 'pg' ? sql`(strpos(${text}, ${needle}) > 0)` : sql`(instr(${text}, ${needle}) > 0)`;
}

// ---- Events ----

/** An event's columns (under `alias`, if given), named as StoredEvent's fields; quoted, since PostgreSQL folds bare names. */
export function eventColumns(alias?: string): SQL {
  const col = (c: string) => (alias ? `${alias}.${c}` : c);
  return sql.raw(
    [col('seq'), ...EVENT_FIELDS.map(([f, c]) => `${col(c)} AS "${f}"`), `${col('prev_hash')} AS "prevHash"`, col('hash')].join(', '),
  );
}
const E = eventColumns('e');

/**
 * The auditor's scope (policy.ts authoriseAudit: their organisation): events by its people, about its
 * plans, searches that returned one of its plans, and governance and flag reviews that name it.
 */
function inScope(db: Store, scope: string): SQL {
  const j = jsonElements(db, sql`e.result_plan_ids`, 'j');
  return sql`(
    e.actor_org = ${scope}
    OR e.plan_id IN (SELECT id FROM plans WHERE owning_org = ${scope})
    OR (e.result_plan_ids IS NOT NULL AND EXISTS (
          SELECT 1 FROM ${j.from} JOIN plans p ON p.id = ${j.value} WHERE p.owning_org = ${scope}))
    OR (e.action IN ('governance', 'flag-review') AND ${jsonMemberHas(db, sql`e.query`, 'orgs', scope)}))`;
}

/** Events about one plan: those the per-plan lookup holds for it (catch it up first). */
const aboutPlan = (planId: string) => sql`e.seq IN (SELECT seq FROM access_event_plans WHERE plan_id = ${planId})`;

const allOf = (conditions: SQL[]) => sql.join(conditions, sql` AND `);

/** What an auditor may filter the log by (queries.ts validates it; dates are already instants here). */
export type EventConditions = {
  planId?: string;
  person?: string;
  channel?: string;
  action?: string;
  actor?: string;
  org?: string;
  purpose?: string;
  outcome?: string;
  from?: string;
  to?: string;
  /** Events with a seq below this. */
  before?: number;
};

/** A page of the auditor's search, newest first: `limit` rows at most, every condition a bound parameter. */
export function eventsInScope(db: Store, scope: string, f: EventConditions, limit: number): Promise<StoredEvent[]> {
  const where = [inScope(db, scope)];
  if (f.planId !== undefined) where.push(sql`${aboutPlan(f.planId)} AND e.plan_id = ${f.planId}`);
  if (f.person !== undefined) {
    // Every event that concerns the person: plans opened and searches that surfaced them (the plan lookup).
    const s = sql`v.subject`;
    const name = sql`lower(${jsonField(db, s, 'givenNames')} || ' ' || ${jsonField(db, s, 'familyName')} || ' ' || coalesce(${jsonField(db, s, 'preferredName')}, ''))`;
    where.push(sql`e.seq IN (SELECT ep.seq FROM access_event_plans ep JOIN plans p ON p.id = ep.plan_id
       WHERE p.owning_org = ${scope} AND (p.external_ref = ${f.person} OR p.id IN (
         SELECT v.plan_id FROM plan_versions v WHERE ${contains(db, name, sql`lower(${f.person})`)})))`);
  }
  if (f.channel !== undefined) where.push(sql`e.channel = ${f.channel}`);
  if (f.action !== undefined) where.push(sql`e.action = ${f.action}`);
  if (f.actor !== undefined) where.push(sql`e.actor_sub = ${f.actor}`);
  if (f.org !== undefined) where.push(sql`e.actor_org = ${f.org}`);
  if (f.purpose !== undefined) where.push(contains(db, sql`e.purpose`, f.purpose));
  if (f.outcome !== undefined) where.push(sql`e.outcome = ${f.outcome}`);
  if (f.from !== undefined) where.push(sql`e.at >= ${f.from}`);
  if (f.to !== undefined) where.push(sql`e.at <= ${f.to}`);
  if (f.before !== undefined) where.push(sql`e.seq < ${f.before}`);
  return db.many<StoredEvent>(sql`SELECT ${E} FROM access_events e WHERE ${allOf(where)} ORDER BY e.seq DESC LIMIT ${limit}`);
}

/** The events with these seqs, within the auditor's scope, newest first. */
export function eventsBySeqInScope(db: Store, scope: string, seqs: readonly number[]): Promise<StoredEvent[]> {
  return db.many<StoredEvent>(
    sql`SELECT ${E} FROM access_events e WHERE e.seq IN ${listOf(db, seqs, 'integer')} AND ${inScope(db, scope)} ORDER BY e.seq DESC`,
  );
}

/** Every event in the auditor's scope between two instants (inclusive), oldest first. */
export function eventsInWindow(db: Store, scope: string, from: string, to: string): Promise<StoredEvent[]> {
  return db.many<StoredEvent>(
    sql`SELECT ${E} FROM access_events e WHERE e.at >= ${from} AND e.at <= ${to} AND ${inScope(db, scope)} ORDER BY e.seq`,
  );
}

/** A page of every event about one plan (opened it, or a search listed it), newest first. */
export function eventsAboutPlan(
  db: Store,
  planId: string,
  f: { from?: string; to?: string; before?: number },
  limit: number,
): Promise<StoredEvent[]> {
  const where = [aboutPlan(planId)];
  if (f.from !== undefined) where.push(sql`e.at >= ${f.from}`);
  if (f.to !== undefined) where.push(sql`e.at <= ${f.to}`);
  if (f.before !== undefined) where.push(sql`e.seq < ${f.before}`);
  return db.many<StoredEvent>(sql`SELECT ${E} FROM access_events e WHERE ${allOf(where)} ORDER BY e.seq DESC LIMIT ${limit}`);
}

/** Flag reviews (allowed `flag-review` events) since `from`, oldest first, with the flag and outcome they name. */
export function flagReviewsSince(db: Store, from: string) {
  const q = sql`query`;
  return db.many<{ at: string; sub: string | null; org: string | null; flagId: string; outcome: string; reason: string | null }>(
    sql`SELECT at, actor_sub AS sub, actor_org AS org, ${jsonField(db, q, 'flagId')} AS "flagId", ${jsonField(db, q, 'outcome')} AS outcome, reason
        FROM access_events WHERE at >= ${from} AND action = 'flag-review' AND outcome = 'allowed' ORDER BY seq`,
  );
}

export type ReportRow = StoredEvent & { orgName: string | null; orgKind: OrgKind | null };

/**
 * What the person's report is made of, between two instants: every event that opened the plan (audit
 * reads left out) with the acting organisation's name and kind, oldest first; and every search that
 * returned it.
 */
export async function reportEvents(db: Store, planId: string, from: string, to: string) {
  const inPeriod = sql`e.at >= ${from} AND e.at <= ${to}`;
  const opened = await db.many<ReportRow>(
    sql`SELECT ${E}, o.name AS "orgName", o.kind AS "orgKind" FROM access_events e
        LEFT JOIN organisations o ON o.slug = e.actor_org
        WHERE ${aboutPlan(planId)} AND e.plan_id = ${planId} AND e.action <> 'audit-read' AND ${inPeriod} ORDER BY e.seq`,
  );
  // Searches list every plan they returned; the lookup holds each of those, so no scan of the log.
  const searches = await db.many<{ purpose: string | null; actorOrg: string | null }>(
    sql`SELECT e.purpose AS purpose, e.actor_org AS "actorOrg" FROM access_events e
        WHERE ${aboutPlan(planId)} AND e.action = 'search' AND ${inPeriod}
          AND ${jsonArrayHas(db, sql`e.result_plan_ids`, planId)} ORDER BY e.seq`,
  );
  return { opened, searches };
}

// ---- Plans, as the log's readers name them ----

export function planOf(db: Store, planId: string): Promise<{ externalRef: string; owningOrg: string } | undefined> {
  const { plans } = db.t;
  return db.one(db.q.select({ externalRef: plans.externalRef, owningOrg: plans.owningOrg }).from(plans).where(eq(plans.id, planId)));
}

/** The subject of the plan's published version, else of its latest one. */
export async function reportSubject(db: Store, planId: string) {
  const v = db.t.planVersions;
  const row = await db.one(
    db.q
      .select({ subject: v.subject })
      .from(v)
      .where(eq(v.planId, planId))
      .orderBy(sql`CASE WHEN ${v.status} = 'published' THEN 0 ELSE 1 END`, desc(v.version))
      .limit(1),
  );
  return row?.subject;
}

/** Each plan's owning organisation. */
export function planOwners(db: Store, planIds: readonly string[]) {
  return db.many<{ id: string; org: string }>(sql`SELECT id, owning_org AS org FROM plans WHERE id IN ${listOf(db, planIds, 'text')}`);
}

/** The scope's own plans among `planIds`, with the name of their current (else latest) version's subject. */
export function plansNamed(db: Store, scope: string, planIds: readonly string[]) {
  const s = sql`v.subject`;
  return db.many<{ planId: string; externalRef: string; name: string | null }>(
    sql`SELECT p.id AS "planId", p.external_ref AS "externalRef",
          trim(coalesce(${jsonField(db, s, 'givenNames')}, '') || ' ' || coalesce(${jsonField(db, s, 'familyName')}, '')) AS name
        FROM plans p
        LEFT JOIN plan_versions v ON v.id = coalesce(p.current_version_id, (SELECT max(id) FROM plan_versions WHERE plan_id = p.id))
        WHERE p.owning_org = ${scope} AND p.id IN ${listOf(db, planIds, 'text')}`,
  );
}

/** Each version row's number within its plan. */
export function versionNumbersOf(db: Store, versionIds: readonly number[]) {
  return db.many<{ id: number; version: number }>(
    sql`SELECT id, version FROM plan_versions WHERE id IN ${listOf(db, versionIds, 'integer')}`,
  );
}

// ---- Checkpoints ----

/** The newest checkpoint (by when it was written), if any. */
export function latestCheckpoint(db: Store): Promise<SignedCheckpoint | undefined> {
  const c = db.t.auditCheckpoints;
  return db.one(
    db.q
      .select({ at: c.at, headSeq: c.headSeq, headHash: c.headHash, keyId: c.keyId, signature: c.signature })
      .from(c)
      .orderBy(desc(c.id))
      .limit(1),
  );
}

// ---- The per-plan lookup (access_event_plans) ----

/**
 * Every (plan, event) pair the log holds for events in (from, to]: the plan an event opened, and every plan
 * a search returned. The lookup's content by definition (writer/lookup.mjs builds the same on SQLite).
 */
export function planReferences(db: Store, from: number, to: number): SQL {
  const j = jsonElements(db, sql`e.result_plan_ids`, 'j');
  return sql`SELECT plan_id, seq FROM access_events WHERE seq > ${from} AND seq <= ${to} AND plan_id IS NOT NULL
    UNION
    SELECT ${j.value}, e.seq FROM access_events e, ${j.from}
      WHERE e.seq > ${from} AND e.seq <= ${to} AND e.result_plan_ids IS NOT NULL AND ${j.isString}`;
}

/** Held by every pass that builds the lookup, so two never read the same progress (free on SQLite). */
export const PLAN_LOOKUP_LOCK = 'access-event-plans';

/** One pass: indexes up to `maxEvents` more events in one transaction; resolves to how many remain. */
export function planLookupPass(db: Store, maxEvents: number): Promise<number> {
  const { accessIndexState: state, accessEvents: events } = db.t;
  return db.tx(function* (q) {
    yield* lock(PLAN_LOOKUP_LOCK);
    const from = (yield* one(q.select({ n: state.indexedSeq }).from(state).where(eq(state.id, 1))))?.n ?? 0;
    const last = (yield* one(q.select({ n: max(events.seq) }).from(events)))?.n ?? 0;
    const to = Math.min(last, from + maxEvents);
    if (to > from) {
      // Sorted so the inserts walk the primary key in order.
      yield* run(sql`INSERT INTO access_event_plans (plan_id, seq) ${planReferences(db, from, to)} ORDER BY 1, 2 ON CONFLICT DO NOTHING`);
      // Only forward: on PostgreSQL the writer advances it in its own commits, and may have got further.
      yield* run(
        q
          .update(state)
          .set({ indexedSeq: to })
          .where(and(eq(state.id, 1), lt(state.indexedSeq, to))),
      );
    }
    return last - to;
  });
}

/** Events committed but not yet in the lookup. */
export async function planLookupBacklog(db: Store): Promise<number> {
  const { accessIndexState: state, accessEvents: events } = db.t;
  const from = (await db.one(db.q.select({ n: state.indexedSeq }).from(state).where(eq(state.id, 1))))?.n ?? 0;
  const last = (await db.one(db.q.select({ n: max(events.seq) }).from(events)))?.n ?? 0;
  return last - from;
}
