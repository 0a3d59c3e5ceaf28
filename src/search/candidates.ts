import type { Logger } from '../logger.js';
import type { SearchDoc } from './document.js';
import type { EngineHealth } from './engine-health.js';
import type { FallbackStore } from './fallback.js';
import type { MeiliFilter, MeiliIndex, MeiliQuery } from './meili-index.js';
import type { KeyIndex, KeyTerms } from './key-index.js';
import type { IndexFeed } from './overlay.js';
import { firstLetterKeys, phoneticCodes } from './phonetic.js';
import { DEFAULT_WITHIN_M, distanceM, type SearchQuery } from './query.js';
import type { VariantTable } from './variants.js';

const MEILI_WORDS = 10;
export const CANDIDATES = 40;
/**
 * The first stage's candidates. Meilisearch's cost grows with the limit far more than with anything else
 * in the query (measured straight at the engine: ~850 queries/s at limit 10, ~500 at 20, ~350 at 40), and
 * a first stage that finds a confident match needs only the best few; a wrong-fact search goes on to
 * the second stage anyway.
 */
const STAGE1 = 20;
/**
 * The in-process keys' candidates: ranking is most of a search's CPU once the keys answer it, and their
 * bm25 order puts the people a search is after within the first forty (the eval at three seeds).
 */
const KEY_CANDIDATES = CANDIDATES;
/** Meilisearch's default maxTotalHits. */
const EVERYONE = 1000;

/** Slugs and numbers only ever reach a filter after this check: nothing typed is pasted in. */
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * `_geo` holds one point per document, but a person may be known at several places. So the filter is a
 * bounding box over every location's coordinates (a document passes if any latitude and any longitude
 * fall inside: a superset), and the exact distance to each location is checked afterwards.
 */
export function meiliFilter(owners: readonly string[], query: Pick<CandidateQuery, 'dob' | 'dobAnyOf' | 'near' | 'within'>): MeiliFilter {
  if (!owners.every((o) => SLUG.test(o))) throw new Error('refusing to build a filter from an invalid organisation slug');
  const filter: MeiliFilter = [owners.map((o) => `owningOrg = "${o}"`)];
  if (query.dob) {
    const [y, m, d] = query.dob.split('-').map(Number);
    for (const [field, v] of [
      ['dobYear', y],
      ['dobMonth', m],
      ['dobDay', d],
    ] as const) {
      if (v === undefined) continue;
      if (!Number.isInteger(v)) throw new Error('invalid date part');
      filter.push(`${field} = ${v}`);
    }
  }
  if (query.dobAnyOf?.length) {
    filter.push(
      query.dobAnyOf.map((date) => {
        const parts = date.split('-').map(Number);
        if (!parts.every(Number.isInteger)) throw new Error('invalid date part');
        return `(${parts.map((v, i) => `${['dobYear', 'dobMonth', 'dobDay'][i]} = ${v}`).join(' AND ')})`;
      }),
    );
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
 * The Meilisearch query: the words, typo-tolerant, over names, nicknames, places and sound keys. It is
 * asked only for what the keys in this process cannot settle (service.ts), which is what it is best at:
 * names two typos away, a typo in a name typed in part.
 */
export function meiliQueries(tokens: string[]): MeiliQuery[] {
  // No name: everyone the filter leaves (a place's box, a date) is a candidate, so the nearest or the
  // right one is never cut off by the candidate limit before the ranker sees them.
  if (!tokens.length) return [{ q: '', attributes: ['names'], limit: EVERYONE, strategy: 'last' }];
  // An initial is no word to search for: it goes last, where Meilisearch prefix-matches it, and is the
  // first word dropped when it matches nothing.
  const initials = tokens.filter((t) => t.length === 1);
  if (initials.length && initials.length < tokens.length) {
    const full = tokens.filter((t) => t.length > 1);
    const q = [...full.slice(0, MEILI_WORDS - 1), initials[0]!].join(' ');
    return [{ q, attributes: ['names', 'variants'], limit: STAGE1, strategy: 'last' }];
  }
  const words = tokens.slice(0, MEILI_WORDS).join(' ');
  return [{ q: words, attributes: ['names', 'variants', 'places', 'phonetic'], limit: STAGE1, strategy: 'frequency' }];
}

/** A search's query as the candidate sources see it: `dobAnyOf` instead of `dob` when looking for slips. */
export type CandidateQuery = SearchQuery & { dobAnyOf?: readonly string[] };

/** The date-of-birth filter as a predicate, for documents that did not come through an engine filter. */
function dobPredicate(query: CandidateQuery): ((d: SearchDoc) => boolean) | undefined {
  const { dob, dobAnyOf } = query;
  if (dob) return (d) => d.dateOfBirth.startsWith(dob);
  if (dobAnyOf) {
    const dates = new Set(dobAnyOf);
    const len = dobAnyOf[0]?.length ?? 0;
    return (d) => dates.has(d.dateOfBirth.slice(0, len));
  }
  return undefined;
}

/**
 * How long a search waits for Meilisearch, as a signal. The budget is for an engine that is slow or hung,
 * not for a queue of our own: under load (50 connections on two shared cores) a search's answer waits for
 * the process to read it, and for a free connection, far past 250 ms while the engine answers each query
 * in ~2 ms. Aborting those sent half a bench round to the fallback, dearer than the engine, which made
 * every wait longer still. So when the budget runs out while the engine has answered other requests
 * within it, the search waits on, up to PATIENCE budgets in all; an engine that answered nothing within
 * the budget is given up on at once.
 */
const PATIENCE = 8;
function budgetSignal(ms: number, answeredAt: () => number) {
  const controller = new AbortController();
  const started = performance.now();
  const check = () => {
    const now = performance.now();
    if (now - answeredAt() < ms && now - started < ms * PATIENCE) timer = setTimeout(check, ms);
    else controller.abort(new DOMException('over the time budget', 'TimeoutError'));
  };
  let timer = setTimeout(check, ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

export type Found = { docs: SearchDoc[]; degraded: boolean; engineMs?: number };

export type CandidateSourceOptions = {
  logger: Logger;
  meili?: MeiliIndex;
  fallback: FallbackStore;
  /** The keys in this process (key-index.ts), when this node keeps them. */
  keys?: KeyIndex;
  health: EngineHealth;
  feed: IndexFeed;
  table: VariantTable;
  /** How long a search waits for Meilisearch before answering from the fallback. */
  budgetMs: number;
  /** False until the index has caught up since start: the fallback answers meanwhile. */
  indexReady: () => boolean;
};

/**
 * What the keys (in process or the database's) are asked for: each word, its sound codes and first-letter
 * keys, and the last word as a prefix. An initial is left out when there are
 * words (it would match every name starting with it).
 */
function keyTerms(tokens: string[]): KeyTerms {
  const words = tokens.filter((t) => t.length > 1);
  if (words.length) tokens = words;
  return { typed: tokens, sounds: [...tokens.flatMap(phoneticCodes), ...tokens.flatMap(firstLetterKeys)], prefix: tokens.at(-1) };
}

/** Where candidates come from: Meilisearch (with the unconfirmed-changes overlay) or the FTS5 fallback. */
export function candidateSource(opts: CandidateSourceOptions) {
  const { logger, meili, fallback, keys, health, feed, table, budgetMs, indexReady } = opts;
  return {
    /** Undefined when Meilisearch is not to be asked or has just failed (the caller falls back). */
    async fromMeili(tokens: string[], owners: string[], query: CandidateQuery): Promise<Found | undefined> {
      if (!meili || health.state() !== 'meilisearch' || !indexReady()) return undefined;
      const queries = meiliQueries(tokens);
      const budget = budgetSignal(budgetMs, meili.answeredAt);
      try {
        const filter = meiliFilter(owners, query);
        const r = await meili.candidates(queries, filter, budget.signal);
        const docs = feed.overlay(r.hits, owners, dobPredicate(query));
        return { docs, degraded: false, engineMs: r.processingTimeMs };
      } catch (e) {
        // Over the budget, this search answers from the fallback, but the engine is not declared down for
        // every search: under load that sent all of them to FTS5, dearer than Meilisearch, and the service
        // spiralled (a third of a bench round degraded). A hung engine is caught by the watchdog.
        if (budget.signal.aborted) {
          logger.warn({ budgetMs }, 'meilisearch slower than the budget; this search uses the fallback');
          return undefined;
        }
        logger.warn({ err: (e as Error).name }, 'meilisearch search failed; using the fallback');
        health.degrade();
        return undefined;
      } finally {
        budget.clear();
      }
    },
    /** From the in-process keys (undefined until they have loaded): the fallback's candidates, in memory. */
    /**
     * The first stage asks for the words (and names one typo from them, or starting with them); the
     * second adds their sound codes and first-letter keys, as Meilisearch's stages did: a sound-alike
     * of another family ("Yusuf": every Yousef) is no candidate while the words as typed can settle it.
     */
    fromKeys(tokens: string[], owners: string[], query: CandidateQuery, stage: 1 | 2): (Found & { partial: boolean }) | undefined {
      if (!keys?.ready()) return undefined;
      const all = keyTerms(tokens);
      const spellingsOf = (t: string) => [...(table.get(t) ?? [])].filter(([, r]) => r === 'variant').map(([w]) => w);
      const spellings = all.typed.flatMap(spellingsOf);
      const terms = stage === 1 ? { ...all, spellings, sounds: [] } : { ...all, spellings };
      const filter = { owners, dob: query.dob, dobAnyOf: query.dobAnyOf };
      const { near } = query;
      const within = query.within ?? DEFAULT_WITHIN_M;
      // Exact, where Meilisearch's filter is a box: the ranker drops those farther anyway.
      const where = near ? (d: SearchDoc) => d.locations.some((l) => distanceM(near, l) <= within) : undefined;
      const docs = keys.candidates(terms, filter, terms.typed.length ? KEY_CANDIDATES : EVERYONE, where);
      // A word no key holds, nor a spelling, typo or start of one: the first stage's candidates are then
      // only the other words' bearers, the first forty of them by chance, and must not settle the search.
      const partial =
        stage === 1 && all.typed.some((w) => w.length > 1 && !keys.covers(w) && !spellingsOf(w).some((v) => keys.frequency(v) > 0));
      return { docs, degraded: false, partial };
    },
    async fromFallback(tokens: string[], owners: string[], query: CandidateQuery): Promise<Found> {
      const terms = keyTerms(tokens);
      // The fallback asks for the nicknames and spellings too (it has no typo tolerance to find them).
      const related = terms.typed.flatMap((t) => [...(table.get(t)?.keys() ?? [])]);
      const filter = { owners, dob: query.dob, dobAnyOf: query.dobAnyOf };
      return {
        docs: await fallback.candidates(
          [...terms.typed, ...related, ...terms.sounds!],
          terms.prefix,
          filter,
          terms.typed.length ? CANDIDATES * 4 : 10_000,
        ),
        degraded: true,
      };
    },
  };
}
export type CandidateSource = ReturnType<typeof candidateSource>;
