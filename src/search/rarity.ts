import type { FallbackStore } from './fallback.js';

const weightOf = (plans: number, holding: number) => Math.min(8, Math.log(1 + plans / (1 + holding)));
/** How long a count is used before it is read again (in the background: a search never waits for it). */
const FRESH_MS = 5000;
/** Typed words that are nobody's name are counted too (as 0): forget them all past this many. */
const MAX_WORDS = 100_000;

export type Weights = {
  /** The weight of a word; one never counted is weighed as held by nobody, and noted. */
  weight(word: string): number;
  /** Whether anyone's keys hold the word, as last counted (undefined: never counted). */
  held(word: string): boolean | undefined;
  /** Counts the noted words (one query); the words it counted. */
  learn(): Promise<Set<string>>;
};

/**
 * The same weights from exact counts at hand (the in-process keys, key-index.ts): nothing to learn.
 */
export function exactWeights(frequency: (word: string) => number, plans: number): Weights {
  const n = Math.max(1, plans);
  return {
    weight: (word) => weightOf(n, frequency(word)),
    held: (word) => frequency(word) > 0,
    learn: async () => new Set(),
  };
}

/**
 * Weight of a matched name word: rarer names count for more (inverse document frequency over the
 * fallback's term counts). A term count costs far more than a ranking (FTS5's vocabulary is read term by
 * term), so counts are kept and read again at most every few seconds, in the background. Ranking is
 * synchronous and only it knows which names it weighs (those a query word matched), so `weights(words)`
 * counts the query's words first, and a ranking that met a name never counted learns it and ranks the
 * candidates holding it again. Most searches meet only names counted before.
 */
export function rarityWeights(fallback: FallbackStore): (words: string[]) => Promise<Weights> {
  const counted = new Map<string, { n: number; at: number }>();
  const inFlight = new Set<string>();
  let plans = { n: 1, at: 0 };
  let counting: Promise<void> | undefined;

  async function count(words: string[]) {
    words = words.filter((w) => !inFlight.has(w));
    if (!words.length) return;
    words.forEach((w) => inFlight.add(w));
    try {
      const df = await fallback.docFrequencies(words);
      if (counted.size > MAX_WORDS) counted.clear();
      const at = Date.now();
      for (const w of words) counted.set(w, { n: df.get(w) ?? 0, at });
    } finally {
      words.forEach((w) => inFlight.delete(w));
    }
  }
  const inBackground = (p: Promise<void>) => void p.catch(() => undefined);

  return async (words) => {
    if (Date.now() - plans.at > FRESH_MS) {
      counting ??= fallback
        .count()
        .then((n) => void (plans = { n: Math.max(1, n), at: Date.now() }))
        .finally(() => (counting = undefined));
      // Only the very first search waits for the number of plans; later ones use the last count.
      if (plans.at === 0) await counting;
      else inBackground(counting);
    }
    await count(words.filter((w) => !counted.has(w)));
    const n = plans.n;
    const unknown = new Set<string>();
    const stale = new Set<string>();
    const now = Date.now();
    return {
      weight(word) {
        const c = counted.get(word);
        if (!c) {
          unknown.add(word);
          return weightOf(n, 0);
        }
        if (now - c.at > FRESH_MS) stale.add(word);
        return weightOf(n, c.n);
      },
      held(word) {
        const c = counted.get(word);
        return c ? c.n > 0 : undefined;
      },
      async learn() {
        if (stale.size) inBackground(count([...stale]));
        const words = [...unknown].filter((w) => !counted.has(w));
        unknown.clear();
        if (words.length) await count(words);
        return new Set(words);
      },
    };
  };
}
