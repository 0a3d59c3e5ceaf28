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
