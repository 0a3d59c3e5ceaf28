import type { Db } from '../../db/index.js';
import type { Actor } from '../plans/core/actor.js';
import { searchScope } from '../plans/policy.js';
import { agreementQueries, cachedAgreements } from '../plans/organisations.js';
import { createReadCache } from '../plans/versions/read-cache.js';
import { ok, type Result } from '../plans/core/result.js';
import type { Logger } from '../logger.js';
import { candidateSource, type CandidateQuery } from './candidates.js';
import { dobSlipKind, slipBetween, slipsOf, type DobSlip } from './dob-slip.js';
import type { SearchDoc } from './document.js';
import { createEngineHealth, type SearchEngineState } from './engine-health.js';
import { createFallbackStore, type FallbackStore } from './fallback.js';
import type { KeyIndex } from './key-index.js';
import type { MeiliIndex } from './meili-index.js';
import { queryWords } from './normalise.js';
import { createIndexFeed, type IndexFeed } from './overlay.js';
import { fallbackProgress, parkedCount } from './outbox-store.js';
import { placeNamedIn } from './places.js';
import { DEFAULT_WITHIN_M, distanceM, type SearchQuery } from './query.js';
import { queryWord, scoreCandidate, type QueryWord } from './rank.js';
import { exactWeights, rarityWeights } from './rarity.js';
import type { SearchResult } from './result.js';
import { variantTable } from './variants.js';

export { meiliFilter } from './candidates.js';
export type { SearchEngineState } from './engine-health.js';
export { searchResultSchema, type SearchResult } from './result.js';

/** What a search returns; `planIds` is what the access log records (every plan the search surfaced). */
export type SearchOutcome = {
  results: SearchResult[];
  planIds: string[];
  degraded: boolean;
  tookMs: number;
  /** Meilisearch's own processingTimeMs when it answered (for benchmarks and the eval). */
  engineMs?: number;
};

export type SearchServiceOptions = {
  db: Db;
  logger: Logger;
  /** Absent: no Meilisearch at all (fallback only, always degraded). */
  meili?: MeiliIndex;
  /** The database's copy the index worker writes to (created here when absent). */
  fallback?: FallbackStore;
  /** The name keys in this process (key-index.ts): most searches are answered from them alone. */
  keys?: KeyIndex;
  /** What the index worker is sending to Meilisearch and whether it failed (see overlay.ts). */
  feed?: IndexFeed;
  /** How long a search waits for Meilisearch before answering from the fallback. */
  budgetMs?: number;
  /** How often an unhealthy Meilisearch is probed to return to it. */
  probeMs?: number;
  /** How often a healthy one is checked, so `/healthz` tells the truth between searches. */
  watchMs?: number;
  /** Run before searches go back to Meilisearch (see engine-health.ts). */
  catchUp?: () => Promise<boolean>;
  /** A plan was just published or withdrawn: index it now (the worker's `nudge`). */
  nudge?: () => Promise<void>;
  /** How many plans the worker has parked (documents it could not index). */
  parked?: () => Promise<number>;
  /** Whether the index has caught up since start (sync.ts `ready`); until then searches use the fallback. */
  indexReady?: () => boolean;
  /** How far behind the index is (sync.ts `progress`). */
  progress?: () => Promise<{ n: number; oldest: string | null }>;
  /** Told of each batch of log entries the index has applied (sync.ts `onApplied`). */
  onApplied?: (l: (entries: { createdAt: string }[], at: number) => void) => void;
};

const ageOn = (dob: string, day: string) => {
  const [y, m, d] = dob.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = day.split('-').map(Number) as [number, number, number];
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
};

type Scored = {
  doc: SearchDoc;
  score: number;
  why: string[];
  complete: boolean;
  /** See rank.ts Ranked. */
  family: boolean;
  lookalike: boolean;
  loc: SearchResult['matchedLocation'];
  slip?: DobSlip;
};

/**
 * A person whose date of birth is one slip from the one given ranks below the same name with the exact
 * date (a lookalike with the right date stays first), but above a weak name match on the exact date.
 */
const SLIP_FACTOR = 0.8;

const SLIP_ORDER: readonly string[] = dobSlipKind.options;

/**
 * Best first; equal names are told apart by the other facts given, never by chance: nearer the place,
 * then the exact date before a slipped one (the likelier slip first); only then date of birth and id,
 * so the same search always lists the same order.
 * `demote`: someone's family name was typed, so people matched only by lookalikes of their names go
 * after everyone else. Scores cannot be trusted to do it: a rare lookalike ("Sharon" for "Shavon")
 * outweighs a common family name whose bearer leaves the misheard word unexplained.
 */
const byEvidence = (nearQuery: boolean, demote: boolean) => (a: Scored, b: Scored) => {
  // With `near` (everyone has a distance), names that match about as well (one 0.05 band) go by distance.
  const band = nearQuery ? Math.floor(b.score * 20) - Math.floor(a.score * 20) : 0;
  return (
    (demote ? Number(a.lookalike) - Number(b.lookalike) : 0) ||
    band ||
    (nearQuery ? a.loc!.distanceM - b.loc!.distanceM : 0) ||
    b.score - a.score ||
    (a.loc?.distanceM ?? 0) - (b.loc?.distanceM ?? 0) ||
    (a.slip ? 1 + SLIP_ORDER.indexOf(a.slip.kind) : 0) - (b.slip ? 1 + SLIP_ORDER.indexOf(b.slip.kind) : 0) ||
    a.doc.dateOfBirth.localeCompare(b.doc.dateOfBirth) ||
    a.doc.id.localeCompare(b.doc.id)
  );
};

/** Good enough not to look at the dates one slip away: someone matched every word, closely. */
const confident = (scored: Map<string, Scored>) => [...scored.values()].some((s) => s.complete && s.score >= 0.9);
/**
 * Good enough not to ask Meilisearch, when the candidates came from the keys in this process: someone
 * matched every word closely, and not only by lookalikes. Unlike Meilisearch's first stage, the keys
 * leave no word out (each word's bearers, nicknames, sounds, first letters, and names one typo away are
 * all weighed), so a close spelling settles it too; Meilisearch adds only what they cannot hold (two
 * typos, a typo in a prefix).
 */
const settledByKeys = (scored: Map<string, Scored>) => [...scored.values()].some((s) => s.complete && !s.lookalike && s.score >= 0.9);

/** How far from a place typed into the search box someone may be known and still be shown as near it. */
const TYPED_PLACE_WITHIN_M = 1000;

function nearest(doc: SearchDoc, query: Pick<SearchQuery, 'near' | 'within'>) {
  if (!query.near) return null;
  const within = query.within ?? DEFAULT_WITHIN_M;
  let best: { label: string; distanceM: number } | null = null;
  for (const l of doc.locations) {
    const d = Math.round(distanceM(query.near, l));
    if (d <= within && (!best || d < best.distanceM)) best = { label: l.label, distanceM: d };
  }
  return best;
}

/**
 * Name search for responders: scope from data-sharing agreements, candidates from Meilisearch (or the
 * database's fallback when it is down or slow), then our own re-ranking for names.
 */
export function createSearchService(opts: SearchServiceOptions) {
  const { db, logger, meili } = opts;
  const fallback = opts.fallback ?? createFallbackStore(db);
  const feed = opts.feed ?? createIndexFeed();
  const table = variantTable();
  const weigher = rarityWeights(fallback);
  const health = createEngineHealth({ logger, meili, probeMs: opts.probeMs, watchMs: opts.watchMs, catchUp: opts.catchUp });
  feed.onMeiliFailure(health.degrade);
  const indexReady = opts.indexReady ?? (() => true);
  const keys = opts.keys;
  const source = candidateSource({ logger, meili, fallback, keys, health, feed, table, budgetMs: opts.budgetMs ?? 250, indexReady });

  // Whose plans a responder may search changes only with the register, so it is remembered until any
  // organisation or agreement changes, from any process (read-cache.ts); it was 3% of a search's CPU.
  const cache = createReadCache(db);
  const agreements = cachedAgreements(agreementQueries(db), cache);
  const scopeOf = async (actor: Actor, day: string): Promise<Result<string[]>> => {
    await cache.validate();
    return searchScope(actor, day, agreements);
  };

  /**
   * Ranks the candidates into `into`. A name whose rarity was never counted is counted after, and the
   * candidates holding it ranked again (rarity.ts): a ranking weighs only query words and names.
   */
  async function rank(docs: SearchDoc[], qWords: QueryWord[], query: SearchQuery, into: Map<string, Scored>) {
    const weights = keys?.ready() ? exactWeights(keys.frequency, keys.size()) : await weigher(qWords.map((w) => w.word));
    const fresh = docs.filter((d) => !into.has(d.id));
    score(fresh, qWords, query, into, weights.weight);
    const learned = await weights.learn();
    if (!learned.size) return;
    const again = fresh.filter((d) => d.names.split(' ').some((w) => learned.has(w)));
    for (const d of again) into.delete(d.id);
    score(again, qWords, query, into, weights.weight);
  }

  function score(docs: SearchDoc[], qWords: QueryWord[], query: SearchQuery, into: Map<string, Scored>, weight: (word: string) => number) {
    // A place typed with the name ranks by distance from it too, but does not exclude anyone.
    const typed = query.near ? undefined : placeNamedIn(qWords.map((w) => w.word));
    const place = typed ? { near: typed, within: TYPED_PLACE_WITHIN_M } : query;
    for (const doc of docs) {
      if (into.has(doc.id)) continue;
      const loc = nearest(doc, place);
      if (query.near && !loc) continue;
      const r = qWords.length
        ? scoreCandidate(qWords, doc, { table, weight })
        : { doc, score: 1, why: [], complete: true, family: false, lookalike: false };
      if (!r) continue;
      const why = [...r.why];
      if (loc) why.push(`near ${loc.label} (${loc.distanceM} m)`);
      // Near a place, distance is evidence too: of two who match the name, the one known nearer ranks first.
      const score = loc ? r.score * (1 - 0.15 * (loc.distanceM / (place.within ?? DEFAULT_WITHIN_M))) : r.score;
      into.set(doc.id, { doc, score, why, complete: r.complete, family: r.family, lookalike: r.lookalike, loc });
    }
  }

  /**
   * Candidates ranked into a map by plan: from the keys in this process, in two stages (the words, then
   * their sounds), and when they cannot settle the search, from Meilisearch too; without the keys, from
   * Meilisearch; the fallback when it fails.
   */
  async function gather(tokens: string[], qWords: QueryWord[], owners: string[], query: CandidateQuery) {
    const scored = new Map<string, Scored>();
    const held = source.fromKeys(tokens, owners, query, 1);
    if (held) {
      await rank(held.docs, qWords, query, scored);
      const engine = { degraded: health.state() === 'degraded' || !indexReady(), engineMs: undefined };
      if (!tokens.length || (!held.partial && settledByKeys(scored))) return { scored, ...engine };
      await rank(source.fromKeys(tokens, owners, query, 2)!.docs, qWords, query, scored);
      if (settledByKeys(scored)) return { scored, ...engine };
      const typos = await source.fromMeili(tokens, owners, query);
      if (typos) await rank(typos.docs, qWords, query, scored);
      return { scored, degraded: !typos, engineMs: typos?.engineMs };
    }
    // No keys in this process (yet, or a service made without them): Meilisearch, else the fallback.
    const found = await source.fromMeili(tokens, owners, query);
    if (found) {
      await rank(found.docs, qWords, query, scored);
      return { scored, degraded: false, engineMs: found.engineMs };
    }
    await rank((await source.fromFallback(tokens, owners, query)).docs, qWords, query, scored);
    return { scored, degraded: true, engineMs: undefined };
  }

  async function search(actor: Actor, query: SearchQuery, day: string): Promise<Result<SearchOutcome>> {
    const started = performance.now();
    const scope = await scopeOf(actor, day);
    if (!scope.ok) return scope;
    const tokens = queryWords(query.q).slice(0, 16);
    const qWords: QueryWord[] = tokens.map((t, i) => queryWord(t, i === tokens.length - 1));
    let scored = new Map<string, Scored>();
    let degraded = health.state() === 'degraded' || !indexReady();
    let engineMs: number | undefined;
    if (scope.value.length) {
      const exact = await gather(tokens, qWords, scope.value, query);
      ({ scored, degraded, engineMs } = exact);
      if (query.dob) for (const s of scored.values()) s.why.push('date of birth');
      // A wrong date of birth must not read as "no plan exists": when nobody fits it well, look at the
      // dates one slip away, and say plainly what differs.
      if (query.dob && !confident(scored)) {
        const slips = slipsOf(query.dob);
        const near = await gather(tokens, qWords, scope.value, { ...query, dob: undefined, dobAnyOf: [...slips.keys()] });
        degraded ||= near.degraded;
        if (near.engineMs !== undefined) engineMs = (engineMs ?? 0) + near.engineMs;
        for (const s of near.scored.values()) {
          const slip = slipBetween(query.dob, s.doc.dateOfBirth, slips);
          if (!slip || scored.has(s.doc.id)) continue;
          scored.set(s.doc.id, { ...s, score: s.score * SLIP_FACTOR, slip });
        }
      }
    }
    const ranked = [...scored.values()];
    ranked.sort(
      byEvidence(
        Boolean(query.near),
        ranked.some((s) => s.family),
      ),
    );
    const results = ranked.slice(0, query.limit).map(({ doc, why, loc, slip }) => ({
      planId: doc.id,
      externalRef: doc.externalRef,
      name: doc.name,
      preferredName: doc.preferredName,
      aliases: doc.aliases,
      dateOfBirth: doc.dateOfBirth,
      age: ageOn(doc.dateOfBirth, day),
      homeArea: doc.homeArea,
      matchedLocation: loc,
      dateOfBirthSlip: slip ?? null,
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
    state: (): SearchEngineState => health.state(),
    onStateChange: health.onStateChange,
    /** Tell the service Meilisearch failed elsewhere, so searches stop waiting on it. */
    reportFailure: health.degrade,
    /**
     * A plan was just published or withdrawn in this process: index it now rather than at the next poll.
     * Resolves once the change is staged (searches here then see it); never rejects.
     */
    indexSoon: async () => {
      await opts.nudge?.();
      await keys?.refresh();
    },
    /** Plans whose documents could not be indexed (for /healthz; `cli search-parked` lists them). */
    parked: async () => (opts.parked ? opts.parked() : parkedCount(db)),
    /**
     * Whether this node's index has caught up since it started (for /readyz: a restarted node stays out
     * of rotation until then; its searches answer from the fallback meanwhile). True without a worker.
     */
    indexReady,
    /** Log entries the index has still to apply, and when the oldest was written (metrics). */
    indexProgress: () => (opts.progress ? opts.progress() : fallbackProgress(db)),
    /** Told of each batch of changes the index has applied, with when (metrics: publish → findable). */
    onIndexApplied: (l: (entries: { createdAt: string }[], at: number) => void) => opts.onApplied?.(l),
    fallback,
    meili,
    stop: health.stop,
  };
}
export type SearchService = ReturnType<typeof createSearchService>;
