import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, who } from '../../helpers.js';
import { signedIn } from './helpers.js';
import { Hono } from 'hono';
import { silentLogger } from '../../../src/logger.js';
import { createErrorHandler } from '../../../src/server/errors.js';
import { browserErrorPage } from '../../../src/server/web/error-pages.js';
import { accessFlags } from '../../../src/plans/access-log/flags.js';

const PURPOSE = 'INC-2026-0099 welfare check';

/** Issue 15, what the responder sees: phone links, dates, the way back, the notices, in plain HTTP. */

async function withPlan(edit: (p: ReturnType<typeof planBody>) => void = () => {}) {
  const t = await testApp();
  const body = planBody();
  edit(body);
  await publishPlans(t.db, [importRecordFrom(body)]);
  return { t, planId: await planIdOf(t.db, 'SB-000001') };
}

/** Every `tel:` link on the page: what it dials → what it shows. */
const telLinks = (html: string) => [...html.matchAll(/<a href="tel:([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);

describe('phone numbers are tel: links wherever they appear', () => {
  it('in free text: crisis lines, out-of-hours, short numbers, +44; dates, NHS numbers and the rest stay text', async () => {
    const { t, planId } = await withPlan((p) => {
      p.plan.summary =
        'If she is missing ring the crisis line on 0800 000 0101 (free), or Samaritans 116 123; 999 if at risk. Seen 2026-10-01.';
      p.plan.careTeam = [
        { name: 'Duty coordinator', phone: '020 7946 0001', outOfHours: 'Night team 020-7946-0999, or +44 (0)161 496 0123' },
      ];
      p.plan.whatHelps = ['Let her call her sister on 07700 900001 first'];
    });
    const b = await signedIn(t, 'demo.paramedic', PURPOSE);
    const page = await b.get(`/plans/${planId}`);
    expect(page.status).toBe(200);
    expect(telLinks(page.text)).toEqual([
      ['08000000101', '0800 000 0101'],
      ['116123', '116 123'],
      // Who to call, under the summary: the trust's 24/7 line, then the care team's out of hours.
      ['08000000101', '0800 000 0101'],
      ['02079460999', '020-7946-0999'],
      ['+441614960123', '+44 (0)161 496 0123'],
      ['07700900001', '07700 900001'],
      ['02079460001', '020 7946 0001'],
      ['02079460999', '020-7946-0999'],
      ['+441614960123', '+44 (0)161 496 0123'],
      // the nominated person's own phone field
      ['07700900001', '07700 900001'],
    ]);
    expect(page.text).toContain('Seen 2026-10-01.');
    // The responder is the emergency service: 999 in a plan is text, never the first thing to tap.
    expect(page.text).toContain('116 123</a>; 999 if at risk.');
    expect(page.text).not.toMatch(/tel:[^"]*9434765919/);
  });

  it("the withdrawn page's contact number too", async () => {
    const { t, planId } = await withPlan();
    const res = await t.call(who.approver, 'POST', `/api/v1/plans/${planId}/versions/1/withdraw`, {
      body: { reason: 'Person moved away' },
    });
    expect(res.status).toBe(200);
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const page = await b.get(`/plans/${planId}`);
    expect(page.status).toBe(410);
    expect(telLinks(page.text)).toEqual([['08000000101', '0800 000 0101']]);
    expect(page.text).toContain('Southbank crisis team, 24/7: <a href="tel:08000000101">');
  });
});

describe('a plan refused for want of an agreement', () => {
  it("is a sentence with a way back, logged with the domain's reason, and raises the same flag as through the API", async () => {
    const { t, planId } = await withPlan();
    const b = await signedIn(t, 'demo.outsider', PURPOSE);
    const page = await b.get(`/plans/${planId}`);
    expect(page.status).toBe(403);
    expect(page.text).toMatch(/<p>No data-sharing agreement in force between [^<]+ and Southbank Mental Health Trust\.<\/p>/);
    expect(page.text).toContain('<a href="/">Back to search</a>');
    const flags = await accessFlags(t.db, 'southbank-mh', {}, t.clock());
    expect(flags.map((f) => f.kind)).toContain('denied-no-agreement');
  });
});

describe('the plan page', () => {
  it('"Back to results" returns to the very search, and only to this service\'s search page', async () => {
    const { t, planId } = await withPlan();
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const back = '/?q=eff&dob=1991';
    const page = await b.get(`/plans/${planId}?back=${encodeURIComponent(back)}`);
    expect(page.text).toContain('<p class="back"><a href="/?q=eff&amp;dob=1991">Back to results</a></p>');
    for (const evil of ['//evil.example/?q=x', 'https://evil.example/', '/\\evil.example?', '/plans/x']) {
      const other = await b.get(`/plans/${planId}?back=${encodeURIComponent(evil)}`);
      expect(other.status, evil).toBe(200);
      expect(other.text, evil).not.toContain('Back to results');
    }
    // Dates in words, the same as on the search page.
    expect(page.text).toContain('Born 14 Mar 1991');
    expect(page.text).toContain('review by 1 Apr 2027');
  });
});

describe('organisations by name', () => {
  it('a force with no agreement in force is told so on the search page, by name, not "check the spelling"', async () => {
    const { t } = await withPlan();
    const b = await signedIn(t, 'demo.outsider', PURPOSE);
    const form = await b.get('/');
    expect(form.text).toContain(
      'Shire Constabulary (no agreement) has no data-sharing agreement in force with any mental-health trust today',
    );
    const none = await b.get('/?q=eff');
    expect(none.status).toBe(200);
    expect(none.text).toContain('id="no-agreement"');
    expect(none.text).not.toContain('Check the spelling');
    // Names in the header, and in the refusal of a plan opened by id.
    expect(none.text).toContain('demo.outsider (Shire Constabulary (no agreement))');
    expect(none.text).not.toContain('shire-police');
    const refused = await b.get(`/plans/${await planIdOf(t.db, 'SB-000001')}`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('between Shire Constabulary (no agreement) and Southbank Mental Health Trust');
    expect(refused.text).not.toMatch(/shire-police|southbank-mh/);
  });

  it('a force with an agreement sees no such notice, and the spelling advice when no one is found', async () => {
    const { t } = await withPlan();
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const none = await b.get('/?q=zzzzqx');
    expect(none.text).not.toContain('id="no-agreement"');
    expect(none.text).toContain('Check the spelling');
  });
});

describe('every page', () => {
  it('a skip link first, the purpose field focused on its page, an icon', async () => {
    const { t } = await withPlan();
    const b = await signedIn(t, 'demo.officer');
    const purpose = await b.get('/purpose?return=/');
    expect(purpose.text).toMatch(/<body><a class="skip" href="#main">Skip to main content<\/a>/);
    expect(purpose.text).toContain('<main id="main"');
    expect(purpose.text).toMatch(/<input id="purpose"[^>]*autofocus/);
    const icon = await b.get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
    expect(icon.text).toMatch(/^<svg /);
  });
});

describe('errors and transfer for browsers', () => {
  it('a browser gets an HTML 404 page; the API and FHIR keep problem+json, as does a client not asking for HTML', async () => {
    const { t } = await withPlan();
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const page = await t.app.request('/no/such/page', { headers: html });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
    const text = await page.text();
    expect(text).toMatch(/^<!doctype html>/);
    expect(text).toContain('<h1>Page not found</h1>');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    // Signed in: the header still says who.
    const cookie = [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const signedInPage = await t.app.request('/no/such/page', { headers: { ...html, cookie } });
    expect(signedInPage.status).toBe(404);
    expect(await signedInPage.text()).toContain('demo.officer (Capital Police Service)');
    for (const path of ['/api/v1/nothing-here', '/fhir/R4/Nothing']) {
      const api = await t.app.request(path, { headers: html });
      expect(api.status, path).toBeGreaterThanOrEqual(400);
      expect(api.headers.get('content-type'), path).not.toContain('text/html');
    }
    const machine = await t.app.request('/no/such/page');
    expect(machine.headers.get('content-type')).toBe('application/problem+json');
  });

  it('an unexpected failure is an HTML 500 page for a browser, problem+json for the API', async () => {
    const app = new Hono();
    app.get('/broken', () => {
      throw new Error('synthetic failure');
    });
    app.get('/api/broken', () => {
      throw new Error('synthetic failure');
    });
    app.onError(createErrorHandler(silentLogger(), browserErrorPage));
    const html = { accept: 'text/html' };
    const page = await app.request('/broken', { headers: html });
    expect(page.status).toBe(500);
    expect(await page.text()).toContain('<h1>Something went wrong</h1>');
    const api = await app.request('/api/broken', { headers: html });
    expect(api.status).toBe(500);
    expect(api.headers.get('content-type')).toBe('application/problem+json');
  });

  it('pages are compressed with brotli or gzip when the browser asks; the API is not', async () => {
    const { t, planId } = await withPlan();
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const cookie = [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const get = (url: string, enc?: string) => t.app.request(url, { headers: { cookie, ...(enc ? { 'accept-encoding': enc } : {}) } });
    const plain = await get(`/plans/${planId}`);
    const html = await plain.text();
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toContain('Accept-Encoding');

    const br = await get(`/plans/${planId}`, 'gzip, deflate, br');
    expect(br.headers.get('content-encoding')).toBe('br');
    const brBytes = Buffer.from(await br.arrayBuffer());
    expect(zlib.brotliDecompressSync(brBytes).toString()).toBe(html);
    expect(brBytes.length).toBeLessThan(Buffer.byteLength(html) / 2);

    const gz = await get('/', 'gzip;q=1, br;q=0');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(zlib.gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toContain('<h1>Find a person');
    // Session cookies and the page's own headers survive.
    expect(gz.headers.get('cache-control')).toBe('no-store');
    expect(gz.headers.get('content-security-policy')).toContain("default-src 'none'");

    const api = await t.app.request(`/api/v1/plans/${planId}`, {
      headers: {
        authorization: `Bearer ${await t.tokenFor(who.officer)}`,
        'x-access-purpose': 'INC-2026-0099',
        'accept-encoding': 'br, gzip',
      },
    });
    expect(api.status).toBe(200);
    expect(api.headers.get('content-encoding')).toBeNull();
  });
});
