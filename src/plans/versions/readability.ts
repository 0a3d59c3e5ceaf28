import type { PlanContent, SectionKey } from '../core/content.js';
import { sectionKeys } from '../core/content.js';

/**
 * How long a responder needs to read a plan. Adults read prose silently at about 240 words a minute;
 * a responder reads standing in the street, interrupted, under stress, and must act on what they read,
 * so we count 150 words a minute: the rate used for careful reading of instructions. The NHS review
 * found plans "too big" to read in a crisis; these figures are what the author and approver see.
 */
export const RESPONDER_WORDS_PER_MINUTE = 150;
/** The 30-second summary: above this many words the author and approver are warned (SUMMARY_WARN_WORDS). */
export const DEFAULT_SUMMARY_WARN_WORDS = 75;

const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

export const countWords = (text: string): number => text.match(WORD)?.length ?? 0;

export const readingSeconds = (words: number): number => Math.ceil((words * 60) / RESPONDER_WORDS_PER_MINUTE);

/** Every string in a section, however nested (rows of behaviours, people, places). */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(textOf).filter(Boolean).join('\n');
  return '';
}

export type SectionLength = { section: SectionKey; words: number; seconds: number };
export type Readability = {
  summary: { words: number; seconds: number; warnAt: number; overLimit: boolean };
  sections: SectionLength[];
  total: { words: number; seconds: number };
};

/** Per section and for the whole plan; booleans (consent flags) are not read aloud and count nothing. */
export function readability(plan: Partial<PlanContent>, warnAt = DEFAULT_SUMMARY_WARN_WORDS): Readability {
  const sections = sectionKeys
    .map((section) => ({ section, words: countWords(textOf(plan[section])) }))
    .filter((s) => s.words > 0)
    .map((s) => ({ ...s, seconds: readingSeconds(s.words) }));
  const summaryWords = countWords(plan.summary ?? '');
  const words = sections.reduce((n, s) => n + s.words, 0);
  return {
    summary: { words: summaryWords, seconds: readingSeconds(summaryWords), warnAt, overLimit: summaryWords > warnAt },
    sections,
    total: { words, seconds: readingSeconds(words) },
  };
}
