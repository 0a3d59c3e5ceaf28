import type { FallbackStore } from './fallback.js';

const weightOf = (plans: number, holding: number) => Math.min(8, Math.log(1 + plans / (1 + holding)));

/**
 * Weight of a matched name word: rarer names count for more (inverse document frequency over the
 * fallback's term counts). Counts drift slowly and a search asks often, so they are kept a few seconds.
 * `weigher(words)` looks up those of the words not already known (one query) and returns the weights
 * for ranking, which is synchronous: a later refresh never empties the map a ranking is reading.
 */
export function rarityWeights(fallback: FallbackStore) {
  let gen: { at: number; plans: Promise<number>; known: Map<string, number> } | undefined;
  return async (words: Iterable<string>): Promise<(word: string) => number> => {
    if (!gen || Date.now() - gen.at > 5000) {
      const fresh = { at: Date.now(), plans: fallback.count().then((n) => Math.max(1, n)), known: new Map<string, number>() };
      // A failed count is asked again by the next search, not kept for the next few seconds.
      fresh.plans.catch(() => gen === fresh && (gen = undefined));
      gen = fresh;
    }
    const { known, plans } = gen;
    const n = await plans;
    const missing = [...new Set(words)].filter((w) => !known.has(w));
    if (missing.length) {
      const df = await fallback.docFrequencies(missing);
      for (const w of missing) known.set(w, weightOf(n, df.get(w) ?? 0));
    }
    // Every word the ranker weighs is one of `words`; any other is weighed as held by nobody.
    return (word) => known.get(word) ?? weightOf(n, 0);
  };
}
