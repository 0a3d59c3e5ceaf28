import { describe, expect, it } from 'vitest';
import { formatShortCode, newCardToken, newShortCode, parseShortCode, TOKEN_PATTERN } from '../../../src/plans/cards/code.js';
import { safeReturnTo } from '../../../src/server/auth/session.js';
import { slidingWindow } from '../../../src/server/guards/rate-limit.js';
import { testClock } from '../../helpers.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('card secrets', () => {
  it('tokens are 144 random bits, URL-safe, and do not repeat', () => {
    const tokens = new Set(Array.from({ length: 2000 }, newCardToken));
    expect(tokens.size).toBe(2000);
    for (const t of tokens) expect(t).toMatch(TOKEN_PATTERN);
  });

  it('short codes read back however they are typed: case, spaces, dashes and look-alike letters', () => {
    const code = newShortCode();
    expect(parseShortCode(formatShortCode(code))).toEqual({ ok: true, code });
    expect(parseShortCode(` ${formatShortCode(code).toLowerCase().replace(/-/g, ' ')} `)).toEqual({ ok: true, code });
    const withLookAlikes = code.replace(/0/g, 'o').replace(/1/g, 'l');
    expect(parseShortCode(withLookAlikes)).toEqual({ ok: true, code });
    expect(parseShortCode('K7M2-9QXD')).toEqual({ ok: false, why: 'format' });
    expect(parseShortCode('K7M2-9QXD-4U!')).toEqual({ ok: false, why: 'format' });
  });

  it('the check character catches every single-character slip and swaps of neighbours', () => {
    for (let n = 0; n < 20; n++) {
      const code = newShortCode();
      for (let i = 0; i < code.length; i++) {
        for (const ch of ALPHABET) {
          if (ch === code[i]) continue;
          const typo = code.slice(0, i) + ch + code.slice(i + 1);
          expect(parseShortCode(typo).ok, `${code} → ${typo}`).toBe(false);
        }
        const a = code[i]!;
        const b = code[i + 1];
        // Luhn mod N's one blind spot is swapping the first and last symbols of the alphabet.
        if (b === undefined || a === b || (a + b).split('').sort().join('') === '0Z') continue;
        const swapped = code.slice(0, i) + b + a + code.slice(i + 2);
        expect(parseShortCode(swapped).ok, `${code} → ${swapped}`).toBe(false);
      }
    }
  });
});

describe('return-to after sign-in', () => {
  it('keeps local paths and refuses anything that could leave the site', () => {
    expect(safeReturnTo('/q/abc')).toBe('/q/abc');
    expect(safeReturnTo('/plans/x?via=qr')).toBe('/plans/x?via=qr');
    for (const bad of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/%0d%0aSet-Cookie:x',
      '',
      undefined,
      '/\t/evil.example',
    ]) {
      const got = safeReturnTo(bad);
      expect(got.startsWith('/') && !got.startsWith('//'), String(bad)).toBe(true);
      expect(got).not.toContain('evil');
    }
  });
});

describe('sliding window', () => {
  it('counts hits in the window and frees slots as they age out', () => {
    const clock = testClock('2026-11-23T10:00:00Z');
    const w = slidingWindow({ limit: 3, windowMs: 60_000, clock });
    for (let i = 0; i < 3; i++) w.hit('a');
    expect(w.blocked('a')).toBe(60);
    expect(w.blocked('b')).toBeUndefined();
    clock.set('2026-11-23T10:00:30Z');
    expect(w.blocked('a')).toBe(30);
    clock.set('2026-11-23T10:01:00.001Z');
    expect(w.blocked('a')).toBeUndefined();
    expect(w.count('a')).toBe(0);
  });
});
