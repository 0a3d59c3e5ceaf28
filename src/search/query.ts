import { z } from 'zod';

/** A date of birth as heard: a year, a year and month, or a full date. */
export const dobQuery = z
  .string()
  .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'must be YYYY, YYYY-MM or YYYY-MM-DD')
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number);
    if (y! < 1900 || y! > 2100) return false;
    if (m !== undefined && (m < 1 || m > 12)) return false;
    if (d !== undefined && (d < 1 || d > new Date(Date.UTC(y!, m!, 0)).getUTCDate())) return false;
    return true;
  }, 'is not a real date')
  .meta({
    description: 'A year, a year and month, or a full date: real (no 31 June), years 1900–2100.',
    anyOf: [
      { pattern: '^(?:19\\d\\d|20\\d\\d|2100)$' },
      { pattern: '^(?:19\\d\\d|20\\d\\d|2100)-(?:0[1-9]|1[0-2])$' },
      { format: 'date', 'x-not-before': '1900-01-01', 'x-not-after': '2100-12-31' },
    ],
  });

const latLng = z
  .string()
  .regex(/^-?\d{1,3}(\.\d+)?,\s*-?\d{1,3}(\.\d+)?$/, 'must be LAT,LNG in decimal degrees')
  .transform((s) => {
    const [lat, lng] = s.split(',').map(Number) as [number, number];
    return { lat, lng };
  })
  .refine((p) => Math.abs(p.lat) <= 90 && Math.abs(p.lng) <= 180, 'latitude or longitude out of range')
  .meta({
    description: 'LAT,LNG in decimal degrees, latitude within ±90 and longitude within ±180.',
    pattern: '^-?(?:90(?:\\.0+)?|[1-8]?\\d(?:\\.\\d+)?),\\s*-?(?:180(?:\\.0+)?|(?:1[0-7]\\d|[1-9]?\\d)(?:\\.\\d+)?)$',
  });

/** The rules across searchQuerySchema's parameters below, for the API document (JSON Schema over the query). */
export const searchQueryRules = {
  description: 'Give a name (`q`, not blank), a date of birth (`dob`) or a place (`near`); `within` needs `near`.',
  schema: {
    anyOf: [{ required: ['q'], properties: { q: { pattern: '\\S' } } }, { required: ['dob'] }, { required: ['near'] }],
    dependentRequired: { within: ['near'] },
  },
};

/** GET /api/v1/search query string (CONTRACTS §5): every value validated before it reaches a filter. */
export const searchQuerySchema = z
  .strictObject({
    q: z.string().max(200, 'at most 200 characters').default(''),
    dob: dobQuery.optional(),
    near: latLng.optional(),
    within: z.coerce.number().int().min(1).max(50_000).optional(),
    limit: z.coerce.number().int().min(1).max(50).default(10),
  })
  .refine((v) => v.q.trim() !== '' || v.dob !== undefined || v.near !== undefined, {
    error: 'give a name (q), a date of birth (dob) or a place (near)',
    path: ['q'],
  })
  .refine((v) => v.within === undefined || v.near !== undefined, { error: 'within needs near', path: ['within'] });
export type SearchQuery = z.infer<typeof searchQuerySchema>;

export const DEFAULT_WITHIN_M = 500;

/** Great-circle distance in metres. */
export function distanceM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}
