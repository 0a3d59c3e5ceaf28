import { diffWords } from 'diff';
import { countWords, textOf } from './readability.js';
import type { SectionChange } from './diff.js';

/**
 * Words added and removed within a changed section, not just "changed": what an approver must see to
 * check a revision. Built on diff.ts's section diff; `diff` (jsdiff) does the word alignment.
 */
export type WordPart = { text: string; change?: 'added' | 'removed' };
export type WordDiff = { parts: WordPart[]; wordsAdded: number; wordsRemoved: number };

export function wordDiff(before: unknown, after: unknown): WordDiff {
  const parts = diffWords(textOf(before), textOf(after)).map((p) => ({
    text: p.value,
    change: p.added ? ('added' as const) : p.removed ? ('removed' as const) : undefined,
  }));
  const count = (kind: 'added' | 'removed') => parts.filter((p) => p.change === kind).reduce((n, p) => n + countWords(p.text), 0);
  return { parts, wordsAdded: count('added'), wordsRemoved: count('removed') };
}

/** Non-text changes (a consent box, a date, a map pin) have no words: say the value changed instead. */
const shown = (v: unknown) => (typeof v === 'boolean' ? (v ? 'yes' : 'no') : typeof v === 'number' ? String(v) : v);

export const withWords = (changes: SectionChange[]) =>
  changes.map((c) => ({ ...c, words: wordDiff(shown(c.before) ?? '', shown(c.after) ?? '') }));

/** The size of a change, for the approver's queue. */
export function changeSize(changes: SectionChange[]) {
  const words = withWords(changes).map((c) => c.words);
  return {
    sections: changes.length,
    wordsAdded: words.reduce((n, w) => n + w.wordsAdded, 0),
    wordsRemoved: words.reduce((n, w) => n + w.wordsRemoved, 0),
  };
}
