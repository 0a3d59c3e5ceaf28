import { fail, ok, type Result } from '../../plans/core/result.js';

/**
 * A date of birth as a responder types it on the search page (`23/04/1989`, `23-04-1989`, `23.4.89`,
 * `23 Apr 1989`, `1989-04-23`, `1989`, `Apr 1989`, `04/1989`, `18091978`, `180978`) → the search's `YYYY`,
 * `YYYY-MM` or `YYYY-MM-DD`. Day first, as written in the UK. The one place typed dates are read; an age
 * ("about 48") is read by parseAge.
 */

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
/** Nobody the service holds a plan for is older than this; it also settles two-digit years. */
const OLDEST_YEARS = 110;

export const DOB_UNREADABLE = 'Enter the date of birth like 23 Apr 1989, 23/04/1989, Apr 1989, 1989 or an age like about 48.';
export const DOB_FUTURE = 'Date of birth must be in the past.';

/** "Apr", "april", "Sept": at least three letters of a month's name. */
const monthOf = (word: string): number | undefined => {
  const w = word.toLowerCase();
  const i = w.length >= 3 ? MONTHS.findIndex((m) => m.startsWith(w) || (w === 'sept' && m === 'september')) : -1;
  return i >= 0 ? i + 1 : undefined;
};

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Two digits: the century that puts the birth in the past, no more than OLDEST_YEARS ago (a date of
 * birth is never in the future), compared at the precision given.
 */
function fullYear(y: string, month: number | undefined, day: number | undefined, today: string): number {
  if (y.length === 4) return Number(y);
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  const candidate = Math.floor(ty / 100) * 100 + Number(y);
  const key = (yy: number) => yy * 10_000 + (month ?? 1) * 100 + (day ?? 1);
  return key(candidate) > ty * 10_000 + tm * 100 + td ? candidate - 100 : candidate;
}

function built(y: number, m: number | undefined, d: number | undefined, today: string): Result<string> {
  if (m !== undefined && (m < 1 || m > 12)) return fail('invalid', DOB_UNREADABLE);
  if (d !== undefined && (d < 1 || d > new Date(Date.UTC(y, m!, 0)).getUTCDate())) return fail('invalid', DOB_UNREADABLE);
  const iso = [String(y), ...(m !== undefined ? [pad(m)] : []), ...(d !== undefined ? [pad(d)] : [])].join('-');
  if (iso > today.slice(0, iso.length)) return fail('invalid', DOB_FUTURE);
  if (y < Number(today.slice(0, 4)) - OLDEST_YEARS) return fail('invalid', DOB_UNREADABLE);
  return ok(iso);
}

/** `today` is `YYYY-MM-DD`. An empty field is no date of birth (undefined), not an error. */
export function parseDob(typed: string, today: string): Result<string | undefined> {
  const s = typed.trim().replace(/\s+/g, ' ');
  if (s === '') return ok(undefined);
  let m: RegExpExecArray | null;
  // Typed without separators on a car keypad: 18091978 (or 19780918), 180978.
  if ((m = /^(\d{2})(\d{2})(\d{4})$/.exec(s))) {
    const dayFirst = built(Number(m[3]), Number(m[2]), Number(m[1]), today);
    if (dayFirst.ok) return dayFirst;
    const yearFirst = /^(\d{4})(\d{2})(\d{2})$/.exec(s)!;
    const iso = built(Number(yearFirst[1]), Number(yearFirst[2]), Number(yearFirst[3]), today);
    return iso.ok ? iso : dayFirst;
  }
  if ((m = /^(\d{2})(\d{2})(\d{2})$/.exec(s))) {
    const d = Number(m[1]);
    const mo = Number(m[2]);
    return built(fullYear(m[3]!, mo, d, today), mo, d, today);
  }
  if ((m = /^(\d{4})$/.exec(s))) return built(Number(m[1]), undefined, undefined, today);
  if ((m = /^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?$/.exec(s))) {
    return built(Number(m[1]), Number(m[2]), m[3] === undefined ? undefined : Number(m[3]), today);
  }
  // 23/04/1989, 23-4-89, 23.4.89, 23 4 1989
  if ((m = /^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{2}|\d{4})$/.exec(s))) {
    const d = Number(m[1]);
    const mo = Number(m[2]);
    return built(fullYear(m[3]!, mo, d, today), mo, d, today);
  }
  // 04/1989 (a month and year; two-digit years here would read as a day and month)
  if ((m = /^(\d{1,2})[-/. ](\d{4})$/.exec(s))) return built(Number(m[2]), Number(m[1]), undefined, today);
  // 23 Apr 1989, 23rd April 89, 23-Apr-1989, Apr 1989, April 23 1989
  if ((m = /^(?:(\d{1,2})(?:st|nd|rd|th)?[-/. ]?)?([a-z]+)\.?,?[-/. ]?(\d{2}|\d{4})$/i.exec(s))) {
    const mo = monthOf(m[2]!);
    if (mo === undefined) return fail('invalid', DOB_UNREADABLE);
    const d = m[1] === undefined ? undefined : Number(m[1]);
    return built(fullYear(m[3]!, mo, d, today), mo, d, today);
  }
  if ((m = /^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/i.exec(s))) {
    const mo = monthOf(m[1]!);
    if (mo === undefined) return fail('invalid', DOB_UNREADABLE);
    return built(Number(m[3]), mo, Number(m[2]), today);
  }
  return fail('invalid', DOB_UNREADABLE);
}

/** An age instead of a date ("about 48", "48", "aged 48", "48ish", "~48"): birth years to look in. */
export type AgeRead = { age: number; youngest: number; oldest: number };

/**
 * A responder often knows an age, not a birthday. Read as a range of ages, two years either side (an age
 * given at a scene is a guess), so the page can keep people of about that age.
 */
export function parseAge(typed: string): AgeRead | undefined {
  const m = /^(?:about|around|approx\.?|approximately|roughly|aged?|~|c\.?)?\s*(\d{1,3})\s*(?:ish|years?(?: old)?|yrs?|y\.?o\.?)?$/i.exec(
    typed.trim(),
  );
  if (!m) return undefined;
  const age = Number(m[1]);
  if (age < 1 || age > OLDEST_YEARS) return undefined;
  return { age, youngest: Math.max(0, age - 2), oldest: age + 2 };
}
