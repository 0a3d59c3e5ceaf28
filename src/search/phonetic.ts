import { doubleMetaphone } from 'double-metaphone';

/** Double Metaphone codes of a folded word, lower-cased and prefixed so they never collide with a name. */
export function phoneticCodes(word: string): string[] {
  if (word.length < 2 || /^\d+$/.test(word)) return [];
  const [a, b] = doubleMetaphone(word);
  return [...new Set([a, b].filter(Boolean).map((c) => `ph${c.toLowerCase()}`))];
}
