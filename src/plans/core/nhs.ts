/** NHS numbers are written with spaces or hyphens (e.g. "943 476 5919"); we store the ten digits. */
export function normaliseNhsNumber(raw: string): string {
  return raw.replace(/[\s-]/g, '');
}

/**
 * Modulus 11: weights 10..2 over the first nine digits; check = 11 - (sum mod 11), 11 → 0, and 10 means
 * the number is invalid (no such number is ever issued).
 */
export function isValidNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) return false;
  return check === Number(digits[9]);
}

/** For synthetic data: append the right check digit to nine digits, or null if none exists. */
export function withNhsCheckDigit(nineDigits: string): string | null {
  for (let d = 0; d <= 9; d++) {
    if (isValidNhsNumber(nineDigits + d)) return nineDigits + d;
  }
  return null;
}
