import { z } from 'zod';

const loopback = (host: string) => {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
};

/** Whether `s` is an issuer this service will trust, without throwing on anything a person can type. */
function acceptableIssuer(s: string): boolean {
  if (!URL.canParse(s)) return false;
  const u = new URL(s);
  return u.protocol === 'https:' || (u.protocol === 'http:' && loopback(u.hostname));
}

/**
 * An identity provider's issuer URL. Plain http would let anyone on the path forge sign-ins: only for a
 * provider on this machine (tests, trials). One check, not z.url() then a refinement: zod runs
 * refinements even after a failed format check, and `new URL()` on what failed it threw (a 500).
 */
export const issuerSchema = z
  .string()
  .trim()
  .min(1, "enter the provider's issuer URL, starting https://")
  .max(500)
  .refine(acceptableIssuer, { error: 'must be a URL starting https:// (http:// only on a loopback address)' })
  .meta({ format: 'uri', pattern: '^https?://', description: 'A URL starting https:// (http:// only on a loopback address).' });

/**
 * The claim an identity provider serving several organisations uses to say which one the person belongs
 * to (an ODS code, say), and the value that means this organisation. Both or neither.
 */
export const orgClaimName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');
export const orgCodeValue = z.string().trim().min(1).max(100);

/** Issuers compared as the provider states them, less a trailing slash people add or drop. */
export const sameIssuer = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
