/**
 * Dates and times as people read them: the service's people are in England and Wales, so every time is
 * shown in London time with its zone named ("14:05 GMT", "14:05 BST"), never UTC; one date shape
 * everywhere ("28 Mar 2027"), with no day/month order to misread. Stored values stay ISO-8601 UTC.
 */
export const ZONE = 'Europe/London';

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const longMonths = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const parts = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: ZONE,
  timeZoneName: 'short',
});

/** The London wall-clock reading of an instant. */
function local(iso: string) {
  const p = Object.fromEntries(parts.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), hm: `${p.hour}:${p.minute}`, zone: p.timeZoneName ?? 'GMT' };
}

const isInstant = (iso: string) => iso.length > 10;

/** "2027-03-28" (a date as stored) or an instant (its London day) → "28 Mar 2027". */
export function readableDate(iso: string): string {
  if (!isInstant(iso)) {
    const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number | undefined, number | undefined];
    if (m === undefined || !months[m - 1]) return String(y);
    return d === undefined ? `${months[m - 1]} ${y}` : `${d} ${months[m - 1]} ${y}`;
  }
  const l = local(iso);
  return `${l.d} ${months[l.m - 1]} ${l.y}`;
}

/** "28 March 2027": for letters to the person. */
export function longDate(iso: string): string {
  const l = isInstant(iso) ? local(iso) : (([y, m, d]) => ({ y, m, d }))(iso.split('-').map(Number) as [number, number, number]);
  return `${l.d} ${longMonths[l.m - 1]} ${l.y}`;
}

/** "14:05 GMT" / "14:05 BST". */
export const readableTime = (iso: string) => {
  const l = local(iso);
  return `${l.hm} ${l.zone}`;
};

/** "28 Mar 2027, 14:05 GMT". */
export const readableDateTime = (iso: string) => `${readableDate(iso)}, ${readableTime(iso)}`;

/** The London day an instant falls on, as `YYYY-MM-DD`. */
export function localDay(iso: string): string {
  const l = local(iso);
  return `${l.y}-${String(l.m).padStart(2, '0')}-${String(l.d).padStart(2, '0')}`;
}

/** The instant a London day starts (00:00 local), as ISO UTC: bounds for "from this day" in queries. */
export function localDayStart(day: string): string {
  const guess = Date.parse(`${day}T00:00:00.000Z`);
  // London is UTC or UTC+1; midnight there is never inside a clock change (those are at 01:00 UTC).
  for (const offsetHours of [0, 1]) {
    const t = new Date(guess - offsetHours * 3_600_000).toISOString();
    const l = local(t);
    if (localDay(t) === day && l.hm === '00:00') return t;
  }
  return new Date(guess).toISOString();
}

/** The last millisecond of a London day. */
export function localDayEnd(day: string): string {
  const next = new Date(Date.parse(`${day}T12:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
  return new Date(Date.parse(localDayStart(next)) - 1).toISOString();
}
