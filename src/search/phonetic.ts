import { doubleMetaphone } from 'double-metaphone';

/** Double Metaphone codes of a folded word, lower-cased and prefixed so they never collide with a name. */
export function phoneticCodes(word: string): string[] {
  let codes = memo.get(word);
  if (!codes) {
    codes = compute(word);
    if (memo.size > 50_000) memo.clear();
    memo.set(word, codes);
  }
  return codes;
}

/** Names repeat endlessly across searches and documents; Double Metaphone is the costly part of ranking. */
const memo = new Map<string, string[]>();

function compute(word: string): string[] {
  if (word.length < 2 || /^\d+$/.test(word)) return [];
  const [a, b] = doubleMetaphone(word);
  return [...new Set([a, b].filter(Boolean).map((c) => `ph${c.toLowerCase()}`))];
}

/**
 * The word without its first letter, as an index key ("price", "brice" → tlrice): a first letter
 * misheard or mistyped (Khan heard as "Chan", Price as "Brice") is the one slip Meilisearch cannot
 * forgive (it charges a first-letter typo as two, and short names get none) and Double Metaphone
 * only forgives when both letters sound alike. Kept out of `phoneticCodes`: two names sharing a
 * tail are not thereby alike (Mark, Park), so the ranker does not read it as "sounds like".
 * Words under four letters have tails too short to say anything ("li").
 */
export function firstLetterKeys(word: string): string[] {
  if (word.length < 4 || /\d/.test(word)) return [];
  return [`tl${word.slice(1)}`];
}
