/**
 * Ill-formed Unicode: a lone UTF-16 surrogate ("Ann\ud800", which a JSON escape can carry) is not a
 * character. Stored, it is refused downstream forever (Meilisearch rejects the whole document, so one such
 * name once kept search degraded for everyone), so it is refused where text enters, naming the field.
 */
export const ILL_FORMED_TEXT = 'must be well-formed Unicode text (a lone UTF-16 surrogate such as \\ud800 is not a character)';

export type Path = (string | number)[];

// With the u flag a surrogate pair is one code point (an emoji), so only a lone surrogate matches.
// (String.prototype.isWellFormed does the same, but is newer than the ES2022 library this compiles against.)
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const LONE_SURROGATES = /[\uD800-\uDFFF]/gu;

/** For string schemas: `.refine(wellFormed, { error: ILL_FORMED_TEXT })`. */
export const wellFormed = (s: string) => !LONE_SURROGATE.test(s);
/** The text with each lone surrogate replaced by U+FFFD, to show it without carrying it on. */
export const toWellFormed = (s: string) => s.replace(LONE_SURROGATES, '\uFFFD');

/**
 * Where the first ill-formed string is in any parsed input (object keys included), or undefined. Paths
 * are made well-formed themselves (a bad key shows as U+FFFD), so an error naming one can be written out.
 */
export function illFormedAt(value: unknown, path: Path = []): Path | undefined {
  if (typeof value === 'string') return wellFormed(value) ? undefined : path;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = illFormedAt(value[i], [...path, i]);
      if (at) return at;
    }
    return undefined;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (!wellFormed(key)) return [...path, toWellFormed(key)];
    const v = (value as Record<string, unknown>)[key];
    // A plain value needs no path of its own unless it is the bad one (every request's parameters pass here).
    if (typeof v === 'string' ? wellFormed(v) : typeof v !== 'object' || v === null) continue;
    const at = illFormedAt(v, [...path, key]);
    if (at) return at;
  }
  return undefined;
}

/** The zod issue for an input with ill-formed text, or undefined when all of it is well-formed. */
export function illFormedIssue(value: unknown): { code: 'custom'; path: Path; message: string } | undefined {
  const path = illFormedAt(value);
  return path && { code: 'custom', path, message: ILL_FORMED_TEXT };
}
