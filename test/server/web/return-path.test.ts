import { describe, expect, it } from 'vitest';
import { testApp } from '../../helpers.js';
import { browser } from './helpers.js';

const origin = 'http://localhost';
/** Every shape of "go somewhere else" seen in the issue, raw and percent-encoded, plus the parser's quirks. */
const hostile = [
  '/.//evil.example/x',
  '/%2e//evil.example/x',
  '/%2E//evil.example/x',
  '/a/..//evil.example/x',
  '/a/%2e%2e//evil.example/x',
  '/./\\evil.example/x',
  '/%2e/\\evil.example',
  '/\t/evil.example',
  '/.\n//evil.example',
  '/\r\n/evil.example',
  '//evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  'https://evil.example/',
  'javascript:alert(1)',
  '/\u0085/evil.example',
  '/a/../..//evil.example',
  '/././/evil.example',
];

/** Where a browser would actually go for this Location header. */
const landsOn = (location: string | null) => new URL(location ?? '', `${origin}/sign-in`);

describe('return paths after sign-in and the purpose prompt', () => {
  it('never redirect off-site, whatever the encoding or dot segments', async () => {
    const t = await testApp();
    const b = browser(t, origin);
    for (const ret of hostile) {
      const signIn = await b.post('/sign-in', { user: 'demo.officer', return: ret });
      expect(signIn.status, ret).toBe(303);
      expect(landsOn(signIn.location).origin, ret).toBe(origin);
      expect(signIn.location, ret).not.toMatch(/^[\\/][\\/]/);

      const purpose = await b.post('/purpose', { purpose: 'INC-2026-0042 welfare check', return: ret });
      expect(purpose.status, ret).toBe(303);
      expect(landsOn(purpose.location).origin, ret).toBe(origin);
      expect(purpose.location, ret).not.toMatch(/^[\\/][\\/]/);

      // The prompt pages carry the return path in a hidden field: it is the cleaned one there too.
      for (const pageUrl of ['/purpose', '/sign-in']) {
        const page = await b.get(`${pageUrl}?return=${encodeURIComponent(ret)}`);
        expect(page.status, ret).toBe(200);
        const field = /name="return" value="([^"]*)"/.exec(page.text)?.[1];
        expect(field, ret).toBe('/');
      }
    }
  });

  it('keeps ordinary local paths, dot segments resolved', async () => {
    const t = await testApp();
    const b = browser(t, origin);
    for (const [ret, expected] of [
      ['/q/abc', '/q/abc'],
      ['/plans/abc?via=qr', '/plans/abc?via=qr'],
      ['/a/../code', '/code'],
      ['/%2e/code', '/code'],
    ] as const) {
      expect((await b.post('/sign-in', { user: 'demo.officer', return: ret })).location, ret).toBe(expected);
    }
  });
});
