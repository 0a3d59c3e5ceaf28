import { z } from 'zod';

/**
 * A date of birth given wrong in one of the ways people give them wrong: day and month swapped (US
 * order, or a form filled in backwards), the year off by one, a two-digit year put in the wrong
 * century, one digit wrong, or two neighbouring digits transposed.
 */
export const dobSlipKind = z.enum(['day-month-swapped', 'year-off-by-one', 'wrong-century', 'digits-transposed', 'one-digit-wrong']);
export type DobSlipKind = z.infer<typeof dobSlipKind>;

/** Why-it-matched for a person whose date of birth differs from the one given by a likely slip. */
export const dobSlipSchema = z.object({
  kind: dobSlipKind,
  /** The person's date of birth (YYYY-MM-DD). */
  onRecord: z.string(),
  /** What was searched for (YYYY, YYYY-MM or YYYY-MM-DD). */
  given: z.string(),
  /** In plain words, for the results page: "date of birth 03/10/1980 on record, 10/03/1980 given: …". */
  says: z.string(),
});
export type DobSlip = z.infer<typeof dobSlipSchema>;

/** When one slip could explain it two ways, the likelier (and plainer) name wins. */
const ORDER: readonly DobSlipKind[] = dobSlipKind.options;

const realDate = (digits: string) => {
  const y = Number(digits.slice(0, 4));
  if (y < 1900 || y > 2100) return false;
  if (digits.length >= 6) {
    const m = Number(digits.slice(4, 6));
    if (m < 1 || m > 12) return false;
    if (digits.length === 8) {
      const d = Number(digits.slice(6, 8));
      if (d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return false;
    }
  }
  return true;
};

const toIso = (digits: string) => [digits.slice(0, 4), digits.slice(4, 6), digits.slice(6, 8)].filter(Boolean).join('-');

/**
 * Every date (of the same precision as `given`) one slip away from it, with the kind of slip. At most
 * ~90 for a full date, so they can go into an engine filter as they are.
 */
export function slipsOf(given: string): Map<string, DobSlipKind> {
  const digits = given.replaceAll('-', '');
  const found = new Map<string, DobSlipKind>();
  const add = (d: string, kind: DobSlipKind) => {
    if (d === digits || !realDate(d)) return;
    const had = found.get(toIso(d));
    if (!had || ORDER.indexOf(kind) < ORDER.indexOf(had)) found.set(toIso(d), kind);
  };
  const y = Number(digits.slice(0, 4));
  const rest = digits.slice(4);
  if (digits.length === 8) add(`${digits.slice(0, 4)}${digits.slice(6, 8)}${digits.slice(4, 6)}`, 'day-month-swapped');
  for (const dy of [-1, 1]) add(`${y + dy}${rest}`, 'year-off-by-one');
  for (const dy of [-100, 100]) add(`${y + dy}${rest}`, 'wrong-century');
  for (let i = 0; i + 1 < digits.length; i++) {
    if (digits[i] === digits[i + 1]) continue;
    add(`${digits.slice(0, i)}${digits[i + 1]}${digits[i]}${digits.slice(i + 2)}`, 'digits-transposed');
  }
  for (let i = 0; i < digits.length; i++) {
    for (const c of '0123456789') if (c !== digits[i]) add(`${digits.slice(0, i)}${c}${digits.slice(i + 1)}`, 'one-digit-wrong');
  }
  return found;
}

/** The slip that turns the given date (or year, or year and month) into this person's, if one does. */
export function slipBetween(given: string, onRecord: string, slips = slipsOf(given)): DobSlip | undefined {
  const kind = slips.get(onRecord.slice(0, given.length));
  return kind ? { kind, onRecord, given, says: describeSlip(kind, onRecord, given) } : undefined;
}

const readable = (iso: string) => iso.split('-').reverse().join('/');

const SAYS: Record<DobSlipKind, string> = {
  'day-month-swapped': 'day and month swapped?',
  'year-off-by-one': 'year off by one?',
  'wrong-century': 'wrong century?',
  'digits-transposed': 'two digits swapped?',
  'one-digit-wrong': 'one digit different?',
};

function describeSlip(kind: DobSlipKind, onRecord: string, given: string) {
  return `date of birth ${readable(onRecord.slice(0, given.length))} on record, ${readable(given)} given: ${SAYS[kind]}`;
}
