import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/server/app.js';
import { silentLogger } from '../../../src/logger.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp } from '../../helpers.js';
import { browser, signedIn } from './helpers.js';

const PURPOSE = 'INC-2026-0099 welfare check';

async function withPlan(overrides: Parameters<typeof planBody>[0] = {}) {
  const t = await testApp();
  await publishPlans(t.db, [importRecordFrom(planBody(overrides))]);
  return { t, planId: await planIdOf(t.db, overrides.externalRef ?? 'SB-000001') };
}

describe('sign-in and session', () => {
  it('only returns to local paths after sign-in', async () => {
    const { t } = await withPlan();
    const b = browser(t);
    for (const [ret, expected] of [
      ['/plans/abc?via=qr', '/plans/abc?via=qr'],
      ['//evil.example/phish', '/'],
      ['https://evil.example/', '/'],
      ['/\\evil.example', '/'],
    ]) {
      const res = await b.post('/sign-in', { user: 'demo.nurse', return: ret! });
      expect(res.status).toBe(303);
      expect(res.location).toBe(expected);
    }
  });

  it('refuses form posts from another site (CSRF) and a tampered session cookie', async () => {
    const { t } = await withPlan();
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    expect((await b.post('/purpose', { purpose: 'INC-1 from elsewhere', return: '/' }, { origin: 'https://evil.example' })).status).toBe(
      403,
    );
    const noOrigin = browser(t, '');
    expect((await noOrigin.post('/sign-in', { user: 'demo.officer', return: '/' })).status).toBe(403);
    expect(noOrigin.jar.size).toBe(0);
    // Browsers that send Sec-Fetch-Site instead of Origin are accepted for same-origin posts.
    expect((await noOrigin.post('/sign-in', { user: 'demo.officer', return: '/' }, { 'sec-fetch-site': 'same-origin' })).status).toBe(303);

    const [name, value] = [...b.jar][0]!;
    // Change one character of the session id: it names no session.
    const tampered = value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A');
    expect(tampered).not.toBe(value);
    b.jar.set(name, tampered);
    const res = await b.get('/code');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/sign-in?return=%2Fcode');
  });

  it('says no organisation has sign-in set up when the development issuer is off and none has a provider', async () => {
    const t = await testApp();
    const app = createApp({ db: t.db, clock: t.clock, logger: silentLogger(), publicBaseUrl: 'http://127.0.0.1:8080' });
    const b = browser({ ...t, app });
    const page = await b.get('/sign-in?return=/q/abc');
    expect(page.status).toBe(200);
    expect(page.text).toContain('No organisation has set up sign-in');
    expect(page.text).not.toContain('demo.paramedic');
    expect((await b.post('/sign-in', { user: 'demo.paramedic', return: '/' })).status).toBe(400);
    expect(b.jar.size).toBe(0);
  });

  it('asks again for a purpose that is too short, and signs out', async () => {
    const { t } = await withPlan();
    const b = await signedIn(t, 'demo.paramedic');
    const bad = await b.post('/purpose', { purpose: 'x', return: '/code' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('incident reference or reason');
    const out = await b.post('/sign-out', {});
    expect(out.location).toBe('/signed-out');
    expect((await b.get(out.location!)).text).toContain('You have signed out');
    expect((await b.get('/code')).location).toBe('/sign-in?return=%2Fcode');
  });
});

describe('the plan page', () => {
  it('is small, self-contained, escaped, and marks a stale plan and withheld sections', async () => {
    const { t, planId } = await withPlan({ summary: 'Calm voice. <script>alert("x")</script> & no sirens.', reviewBy: '2026-06-01' });
    const b = await signedIn(t, 'demo.officer', PURPOSE);
    const res = await b.get(`/plans/${planId}`);
    expect(res.status).toBe(200);
    expect(res.text.startsWith('<!doctype html><html lang="en-GB">')).toBe(true);
    expect(Buffer.byteLength(res.text)).toBeLessThan(50_000);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    // The one link is this service's own icon.
    expect(res.text).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml"/>');
    expect(res.text.replace('<link rel="icon" href="/favicon.svg" type="image/svg+xml"/>', '')).not.toMatch(
      /<script|<link|<img|src=|https?:\/\//i,
    );
    expect(res.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; no sirens.');
    expect(res.text).toContain('OUT OF DATE');
    expect(res.text).toContain('due for review on 1 Jun 2026');
    expect(res.text).not.toContain('2026-06-01');
    // Police do not see clinical sections, and are told they were withheld.
    expect(res.text).not.toContain('Recurrent depressive disorder');
    expect(res.text).toContain('Not shown to your organisation: Diagnosis, Mental capacity.');
    expect(res.text).toContain('advice, not an instruction');
    expect(res.text).toContain('Version 1, published 23 Nov 2026');
    // Which version and how current, near the top (before the summary), not only at the bottom.
    expect(res.text.indexOf('Version 1 · published 23 Nov 2026 · review by 1 Jun 2026 (overdue)')).toBeLessThan(
      res.text.indexOf('class="summary"'),
    );
    expect(res.text).toContain('INC-2026-0099 welfare check');
  });

  it('shows clinical sections to a paramedic, not stale while in date; unknown plans are a plain 404', async () => {
    const { t, planId } = await withPlan();
    const b = await signedIn(t, 'demo.paramedic', PURPOSE);
    const res = await b.get(`/plans/${planId}`);
    expect(res.text).toContain('Recurrent depressive disorder');
    expect(res.text).not.toContain('OUT OF DATE');
    expect(res.text).not.toContain('Not shown to your organisation');
    // Nominated people who did not consent to contact are left out.
    expect(res.text).toContain('Sister (synthetic)');
    expect(res.text).not.toContain('Ex-partner (synthetic)');
    expect((await b.get('/plans/AAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await b.get('/plans/bad')).status).toBe(404);
  });

  it('sends a signed-in responder without a purpose to the prompt first', async () => {
    const { t, planId } = await withPlan();
    const b = await signedIn(t, 'demo.nurse');
    const res = await b.get(`/plans/${planId}`);
    expect(res.location).toBe(`/purpose?return=${encodeURIComponent(`/plans/${planId}`)}`);
    const prompt = await b.get(res.location!);
    expect(prompt.text).toContain('value=""'); // the card pre-fill is only for card look-ups
  });
});
