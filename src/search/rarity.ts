import type { FallbackStore } from './fallback.js';

const weightOf = (plans: number, holding: number) => Math.min(8, Math.log(1 + plans / (1 + holding)));

export type Weights = {
  /** The weight of a name word; one not known yet is weighed as held by nobody, and noted. */
  weight(word: string): number;
  /** Looks up the noted words (one query); true when there were any, and what was weighed must be again. */
  learn(): Promise<boolean>;
};

/**
 * Weight of a matched name word: rarer names count for more (inverse document frequency over the
 * fallback's term counts). Counts drift slowly and a search asks often, so they are kept a few seconds.
 * Ranking is synchronous and only it knows which words it weighs (the names a query word matched), so
 * a ranking that met words not known yet learns them and ranks again: a term count costs far more than
 * a ranking, and most searches meet only names weighed before.
 */
export function rarityWeights(fallback: FallbackStore): () => Promise<Weights> {
  let gen: { at: number; plans: Promise<number>; known: Map<string, number> } | undefined;
  return async () => {
    if (!gen || Date.now() - gen.at > 5000) {
      const fresh = { at: Date.now(), plans: fallback.count().then((n) => Math.max(1, n)), known: new Map<string, number>() };
      // A failed count is asked again by the next search, not kept for the next few seconds.
      fresh.plans.catch(() => gen === fresh && (gen = undefined));
      gen = fresh;
    }
    // This generation's map, even after a later one replaces it: a ranking never sees it emptied.
    const { known, plans } = gen;
    const n = await plans;
    const unknown = new Set<string>();
    return {
      weight(word) {
        const w = known.get(word);
        if (w !== undefined) return w;
        unknown.add(word);
        return weightOf(n, 0);
      },
      async learn() {
        if (!unknown.size) return false;
        const words = [...unknown];
        unknown.clear();
        const df = await fallback.docFrequencies(words);
        for (const w of words) known.set(w, weightOf(n, df.get(w) ?? 0));
        return true;
      },
    };
  };
}
