import { z } from 'zod';
import type { Db } from '../../db/index.js';
import type { Actor } from '../plans/core/actor.js';
import { searchScope } from '../plans/policy.js';
import { agreementQueries } from '../plans/organisations.js';
import { ok, type Result } from '../plans/core/result.js';
import type { Logger } from '../logger.js';
import type { SearchDoc } from './document.js';
import { createFallbackStore, type FallbackStore } from './fallback.js';
import type { MeiliFilter, MeiliIndex, MeiliQuery } from './meili-index.js';
import { queryWords } from './normalise.js';
import { phoneticCodes } from './phonetic.js';
import { DEFAULT_WITHIN_M, distanceM, type SearchQuery } from './query.js';
import { queryWord, scoreCandidate, type QueryWord } from './rank.js';
import { variantTable } from './variants.js';

/** One person a search found (CONTRACTS §5): who they are and why they matched, never plan content. */
export const searchResultSchema = z.strictObject({
  planId: z.string(),
  externalRef: z.string(),
  name: z.string(),
  preferredName: z.string().nullable(),
  aliases: z.array(z.string()),
  dateOfBirth: z.string(),
  age: z.number().int(),
  homeArea: z.string().nullable(),
  matchedLocation: z.strictObject({ label: z.string(), distanceM: z.number() }).nullable(),
  why: z.array(z.string()),
});
export type SearchResult = z.output<typeof searchResultSchema>;

/** What a search returns; `planIds` is what the access log records (every plan the search surfaced). */
export type SearchOutcome = {
  results: SearchResult[];
  planIds: string[];
  degraded: boolean;
  tookMs: number;
  /** Meilisearch's own processingTimeMs when it answered (for benchmarks and the eval). */
  engineMs?: number;
};

export type SearchEngineState = 'meilisearch' | 'degraded';

const MEILI_WORDS = 10;
const CANDIDATES = 40;

export type SearchServiceOptions = {
  db: Db;
  logger: Logger;
  /** Absent: no Meilisearch at all (fallback only, always degraded). */
  meili?: MeiliIndex;
  /** How long a search waits for Meilisearch before answering from the fallback. */
  budgetMs?: number;
  /** How often an unhealthy Meilisearch is probed to return to it. */
  probeMs?: number;
  /** How often a healthy one is checked, so `/healthz` tells the truth between searches. */
  watchMs?: number;
  /**
   * Run before searches go back to Meilisearch: pushes what the outbox gathered during the outage and
   * says whether the index has caught up (so a plan published meanwhile is not missed on return).
   */
  catchUp?: () => Promise<boolean>;
};

const ageOn = (dob: string, day: string) => {
  const [y, m, d] = dob.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = day.split('-').map(Number) as [number, number, number];
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
};


/** Slugs and numbers only ever reach a filter after this check: nothing typed is pasted in. */
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * `_geo` holds one point per document, but a person may be known at several places. So the filter is a
 * bounding box over every location's coordinates (a document passes if any latitude and any longitude
 * fall inside: a superset), and the exact distance to each location is checked afterwards.
 */
export function meiliFilter(owners: readonly string[], query: Pick<SearchQuery, 'dob' | 'near' | 'within'>): MeiliFilter {
  if (!owners.every((o) => SLUG.test(o))) throw new Error('refusing to build a filter from an invalid organisation slug');
  const filter: MeiliFilter = [owners.map((o) => `owningOrg = "${o}"`)];
  if (query.dob) {
    const [y, m, d] = query.dob.split('-').map(Number);
    for (const [field, v] of [['dobYear', y], ['dobMonth', m], ['dobDay', d]] as const) {
      if (v === undefined) continue;
      if (!Number.isInteger(v)) throw new Error('invalid date part');
      filter.push(`${field} = ${v}`);
    }
  }
  if (query.near) {
    const { lat, lng } = query.near;
    const r = query.within ?? DEFAULT_WITHIN_M;
    if (![lat, lng, r].every(Number.isFinite)) throw new Error('invalid geo filter');
    const dLat = r / 111_000 + 1e-4;
    const dLng = r / (111_000 * Math.max(0.01, Math.cos((lat * Math.PI) / 180))) + 1e-4;
    const fix = (x: number) => x.toFixed(6);
    filter.push(`geoLat ${fix(lat - dLat)} TO ${fix(lat + dLat)}`, `geoLng ${fix(lng - dLng)} TO ${fix(lng + dLng)}`);
  }
  return filter;
}

/**
 * Name search for responders: scope from data-sharing agreements, candidates from Meilisearch (or the
 * SQLite fallback when it is down or slow), then our own re-ranking for names.
 */
export function createSearchService(opts: SearchServiceOptions) {
  const { db, logger, meili } = opts;
  const budgetMs = opts.budgetMs ?? 250;
  const probeMs = opts.probeMs ?? 500;
  const fallback: FallbackStore = createFallbackStore(db);
  const agreements = agreementQueries(db);
  const table = variantTable();
  let nudge = () => {};
  let state: SearchEngineState = meili ? 'meilisearch' : 'degraded';
  let probe: NodeJS.Timeout | undefined;
  const listeners = new Set<(s: SearchEngineState) => void>();
  /** Without searches nobody would notice Meilisearch going away: check it, cheaply, every few seconds. */
  const watchdog = meili
    ? setInterval(async () => {
        if (state === 'meilisearch' && !(await meili.healthy())) setState('degraded');
      }, opts.watchMs ?? 2000)
    : undefined;
  watchdog?.unref();

  const setState = (s: SearchEngineState) => {
    if (s === state) return;
    state = s;
    logger.warn({ search: s }, s === 'degraded' ? 'search degraded: answering from SQLite FTS5' : 'search back on meilisearch');
    for (const l of listeners) l(s);
    if (s === 'degraded' && meili && !probe) {
      let busy = false;
      probe = setInterval(async () => {
        if (busy) return;
        busy = true;
        try {
          if (!(await meili.healthy())) return;
          if (opts.catchUp && !(await opts.catchUp().catch(() => false))) return;
          clearInterval(probe);
          probe = undefined;
          setState('meilisearch');
        } finally {
          busy = false;
        }
      }, probeMs);
      probe.unref();
    }
  };

  const scopeOf = (actor: Actor, day: string): Result<string[]> => searchScope(actor, day, agreements);

  const weight = (() => {
    const cache = new Map<string, number>();
    let n = 0;
    let at = 0;
    return (word: string) => {
      if (Date.now() - at > 5000) {
        cache.clear();
        n = Math.max(1, fallback.count());
        at = Date.now();
      }
      let w = cache.get(word);
      if (w === undefined) {
        w = Math.min(8, Math.log(1 + n / (1 + fallback.docFrequency(word))));
        cache.set(word, w);
      }
      return w;
    };
  })();

  /**
   * Candidate queries in two stages, each one multi-search round trip (Meilisearch spends ~1 ms per
   * query, so the second stage runs only when the first found no confident match). Measured on the eval:
   * mixing phonetic codes into the name query makes Meilisearch's word-dropping pick the wrong words, so
   * codes get their own query; each word alone also gets one, so a surname is found whatever the given
   * name was heard as.
   */
  function meiliQueries(tokens: string[], stage: 1 | 2): MeiliQuery[] {
    if (!tokens.length) return stage === 1 ? [{ q: '', attributes: ['names'], limit: CANDIDATES, strategy: 'last' }] : [];
    const words = tokens.slice(0, MEILI_WORDS).join(' ');
    if (stage === 1) return [{ q: words, attributes: ['names', 'variants', 'places', 'phonetic'], limit: CANDIDATES, strategy: 'frequency' }];
    const codes = [...new Set(tokens.flatMap(phoneticCodes))].slice(0, MEILI_WORDS).join(' ');
    const qs: MeiliQuery[] = [];
    if (codes) qs.push({ q: codes, attributes: ['phonetic'], limit: 30, strategy: 'last' });
    // Meilisearch prefix-matches only the last word: rotate so each word is last once ("vik oguleye" and
    // "oguleye vik" both run, so a short form typed first still finds Vikram).
    if (tokens.length > 1 && tokens.length <= 4) {
      for (let i = 0; i < tokens.length; i++) {
        const rotated = [...tokens.slice(i + 1), ...tokens.slice(0, i + 1)].join(' ');
        qs.push({ q: rotated, attributes: ['names', 'variants'], limit: 20, strategy: 'frequency' });
      }
    }
    return qs;
  }

  type Found = { docs: SearchDoc[]; degraded: boolean; engineMs?: number };

  /**
   * Plans the outbox worker has written to the fallback but Meilisearch has not yet confirmed (a one-plan
   * index update takes it ~0.1–0.2 s here, with spikes past 1.5 s): the document, or null for a removal.
   * Searches answered by Meilisearch drop its stale copy of these and match the current one instead, so
   * a publish is findable, and a withdrawal gone, as soon as the worker has seen it.
   */
  const unconfirmed = new Map<string, SearchDoc | null>();

  function withUnconfirmed(docs: SearchDoc[], owners: readonly string[], query: SearchQuery): SearchDoc[] {
    if (!unconfirmed.size) return docs;
    const current = docs.filter((d) => !unconfirmed.has(d.id));
    for (const doc of unconfirmed.values()) {
      // The same scope and date-of-birth filters Meilisearch applies (the place is checked when ranking).
      if (doc && owners.includes(doc.owningOrg) && (!query.dob || doc.dateOfBirth.startsWith(query.dob))) current.push(doc);
    }
    return current;
  }

  async function fromMeili(tokens: string[], owners: string[], query: SearchQuery, stage: 1 | 2): Promise<Found | undefined> {
    if (!meili || state !== 'meilisearch') return undefined;
    const queries = meiliQueries(tokens, stage);
    if (!queries.length) return { docs: [], degraded: false, engineMs: 0 };
    try {
      const filter = meiliFilter(owners, query);
      const r = await meili.candidates(queries, filter, AbortSignal.timeout(budgetMs));
      return { docs: withUnconfirmed(r.hits, owners, query), degraded: false, engineMs: r.processingTimeMs };
    } catch (e) {
      logger.warn({ err: (e as Error).name }, 'meilisearch search failed; using the fallback');
      setState('degraded');
      return undefined;
    }
  }

  function fromFallback(tokens: string[], owners: string[], query: SearchQuery): Found {
    const terms = [
      ...tokens,
      ...tokens.flatMap((t) => [...(table.get(t)?.keys() ?? [])]),
      ...tokens.flatMap(phoneticCodes),
    ];
    const limit = tokens.length ? CANDIDATES * 4 : 10_000;
    return { docs: fallback.candidates(terms, tokens.at(-1), { owners, dob: query.dob }, limit), degraded: true };
  }

  type Scored = { doc: SearchDoc; score: number; why: string[]; complete: boolean; loc: SearchResult['matchedLocation'] };

  function rank(docs: SearchDoc[], qWords: QueryWord[], query: SearchQuery, into: Map<string, Scored>) {
    for (const doc of docs) {
      if (into.has(doc.id)) continue;
      const loc = nearest(doc, query);
      if (query.near && !loc) continue;
      const r = qWords.length ? scoreCandidate(qWords, doc, { table, weight }) : { doc, score: 1, why: [], complete: true };
      if (!r) continue;
      const why = [...r.why];
      if (query.dob) why.push('date of birth');
      if (loc) why.push(`near ${loc.label} (${loc.distanceM} m)`);
      into.set(doc.id, { doc, score: r.score, why, complete: r.complete, loc });
    }
  }

  /** Good enough to skip the second stage: someone matched every word, closely. */
  const confident = (scored: Map<string, Scored>) => [...scored.values()].some((s) => s.complete && s.score >= 0.9);

  function nearest(doc: SearchDoc, query: SearchQuery) {
    if (!query.near) return null;
    const within = query.within ?? DEFAULT_WITHIN_M;
    let best: { label: string; distanceM: number } | null = null;
    for (const l of doc.locations) {
      const d = Math.round(distanceM(query.near, l));
      if (d <= within && (!best || d < best.distanceM)) best = { label: l.label, distanceM: d };
    }
    return best;
  }

  async function search(actor: Actor, query: SearchQuery, day: string): Promise<Result<SearchOutcome>> {
    const started = performance.now();
    const scope = scopeOf(actor, day);
    if (!scope.ok) return scope;
    const tokens = queryWords(query.q).slice(0, 16);
    const qWords: QueryWord[] = tokens.map((t, i) => queryWord(t, i === tokens.length - 1));
    const scored = new Map<string, Scored>();
    let degraded = state === 'degraded';
    let engineMs: number | undefined;
    if (scope.value.length) {
      let found = await fromMeili(tokens, scope.value, query, 1);
      if (found) {
        engineMs = found.engineMs;
        rank(found.docs, qWords, query, scored);
        if (!confident(scored)) {
          const more = await fromMeili(tokens, scope.value, query, 2);
          if (more) {
            engineMs = (engineMs ?? 0) + (more.engineMs ?? 0);
            rank(more.docs, qWords, query, scored);
          } else found = undefined;
        }
      }
      if (!found) {
        scored.clear();
        engineMs = undefined;
        const fb = fromFallback(tokens, scope.value, query);
        rank(fb.docs, qWords, query, scored);
      }
      degraded = !found;
    }
    const ranked = [...scored.values()];
    ranked.sort((a, b) => b.score - a.score || a.doc.dateOfBirth.localeCompare(b.doc.dateOfBirth) || a.doc.id.localeCompare(b.doc.id));
    const results = ranked.slice(0, query.limit).map(({ doc, why, loc }) => ({
      planId: doc.id,
      externalRef: doc.externalRef,
      name: doc.name,
      preferredName: doc.preferredName,
      aliases: doc.aliases,
      dateOfBirth: doc.dateOfBirth,
      age: ageOn(doc.dateOfBirth, day),
      homeArea: doc.homeArea,
      matchedLocation: loc,
      why,
    }));
    return ok({
      results,
      planIds: results.map((r) => r.planId),
      degraded,
      tookMs: Math.round((performance.now() - started) * 10) / 10,
      engineMs,
    });
  }

  return {
    search,
    state: () => state,
    onStateChange: (l: (s: SearchEngineState) => void) => listeners.add(l),
    /** Tell the service Meilisearch failed elsewhere (e.g. the index worker), so searches stop waiting on it. */
    reportFailure: () => setState('degraded'),
    /** Wire the catch-up step after construction (the worker needs the service's fallback store). */
    setCatchUp: (fn: () => Promise<boolean>) => {
      opts.catchUp = fn;
    },
    /** The worker is sending these to Meilisearch (documents to add, plan ids to remove). */
    sendingToMeili(upserts: SearchDoc[], removals: string[]) {
      for (const d of upserts) unconfirmed.set(d.id, d);
      for (const id of removals) unconfirmed.set(id, null);
    },
    /** Meilisearch has applied them; an entry replaced by a later change in the meantime stays. */
    confirmedByMeili(upserts: SearchDoc[], removals: string[]) {
      for (const d of upserts) if (unconfirmed.get(d.id) === d) unconfirmed.delete(d.id);
      for (const id of removals) if (unconfirmed.get(id) === null) unconfirmed.delete(id);
    },
    /** A plan was just published or withdrawn in this process: index it now rather than at the next poll. */
    indexSoon: () => nudge(),
    setNudge: (fn: () => void) => {
      nudge = fn;
    },
    fallback,
    meili,
    stop: () => {
      if (watchdog) clearInterval(watchdog);
      if (probe) clearInterval(probe);
      probe = undefined;
    },
  };
}
export type SearchService = ReturnType<typeof createSearchService>;
