const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Every date shown to people, on every page: "1989-04-23" (or a timestamp) → "23 Apr 1989", no
 * day/month order to misread at a glance. A year or a year and month as typed stays that precise.
 */
export function readableDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number | undefined, number | undefined];
  if (m === undefined || !months[m - 1]) return String(y);
  return d === undefined ? `${months[m - 1]} ${y}` : `${d} ${months[m - 1]} ${y}`;
}
