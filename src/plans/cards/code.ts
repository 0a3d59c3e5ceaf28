import { randomBytes, randomInt } from 'node:crypto';

/**
 * The secrets on a plan card.
 *  - The QR token: 144 random bits, URL-safe base64 (24 characters). Unguessable, so a photographed card
 *    is the only way to it, and revoking the card ends it.
 *  - The short code for typing in when the camera fails: 10 Crockford base32 characters (50 random bits)
 *    plus a Luhn mod 32 check character, shown as `K7M2-9QXD-4RW`. Crockford's alphabet has no I, L, O
 *    or U, and reading accepts the look-alikes, so a code read aloud over a radio still works. 50 bits is
 *    far beyond what the rate limits let anyone guess.
 */
export const TOKEN_BYTES = 18;
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{24}$/;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const N = ALPHABET.length;
const CODE_DATA_CHARS = 10;

export const newCardToken = () => randomBytes(TOKEN_BYTES).toString('base64url');

/** Luhn mod N: catches every single-character slip and most swaps of neighbours. */
function luhnCheck(chars: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    let addend = factor * ALPHABET.indexOf(chars[i]!);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / N) + (addend % N);
    sum += addend;
  }
  return ALPHABET[(N - (sum % N)) % N]!;
}

/** A new code, normalised (no separators): ten random characters and the check character. */
export function newShortCode(): string {
  let data = '';
  for (let i = 0; i < CODE_DATA_CHARS; i++) data += ALPHABET[randomInt(N)];
  return data + luhnCheck(data);
}

/** `K7M29QXD4RW` → `K7M2-9QXD-4RW`, for printing. */
export const formatShortCode = (code: string) => `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;

export type ParsedCode = { ok: true; code: string } | { ok: false; why: 'format' | 'check' };

/**
 * What a person typed → the normalised code, or why not. Case, spaces and dashes do not matter; O, I and
 * L are read as 0, 1 and 1, as Crockford intends. A wrong check character means a typing slip.
 */
export function parseShortCode(input: string): ParsedCode {
  const cleaned = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (cleaned.length !== CODE_DATA_CHARS + 1 || [...cleaned].some((ch) => !ALPHABET.includes(ch))) {
    return { ok: false, why: 'format' };
  }
  const data = cleaned.slice(0, CODE_DATA_CHARS);
  if (luhnCheck(data) !== cleaned.slice(CODE_DATA_CHARS)) return { ok: false, why: 'check' };
  return { ok: true, code: cleaned };
}
