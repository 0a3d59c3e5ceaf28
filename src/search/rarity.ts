import type { FallbackStore } from './fallback.js';

/**
 * Weight of a matched name word: rarer names count for more (inverse document frequency over the
 * fallback's FTS5 term counts). Cached for a few seconds: counts drift slowly and a search asks often.
 */
export function rarityWeights(fallback: FallbackStore): (word: string) => number {
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
}
