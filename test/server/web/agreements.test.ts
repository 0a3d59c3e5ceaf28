import { describe, expect, it } from 'vitest';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, who } from '../../helpers.js';
import { signedIn, type Browser } from './helpers.js';

/** Issue 20 item 1 on the administrator's pages: propose, each party accepts or declines, what waits shown on /admin. */

const proposalForm = (reference: string, parties: string[]) => {
  const form = new URLSearchParams({
    reference,
    'from-day': '1',
    'from-month': '1',
    'from-year': '2026',
    'to-day': '31',
    'to-month': '12',
    'to-year': '2027',
  });
  for (const p of parties) form.append('parties', p);
  return form;
};

describe('agreement proposals on the admin pages', () => {
  it('propose, the other party sees it waiting on its home and accepts: in force; a cross-site post is refused', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const shire = await signedIn(t, 'demo.shire-admin');
    const south = await signedIn(t, 'demo.admin');
    const cookie = (b: Browser) => [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const post = (b: Browser, url: string, body: URLSearchParams, origin = 'http://localhost') =>
      t.app.request(url, {
        method: 'POST',
        headers: { cookie: cookie(b), origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      });

    const form = await shire.get('/admin/agreements/new');
    expect(form.text).toContain('Propose a data-sharing agreement');
    expect(
      (await post(shire, '/admin/agreements', proposalForm('SELF-1', ['shire-police', 'southbank-mh']), 'https://evil.example')).status,
    ).toBe(403);
    const proposed = await post(shire, '/admin/agreements', proposalForm('SELF-1', ['shire-police', 'southbank-mh']));
    expect(proposed.status).toBe(303);
    const at = proposed.headers.get('location')!;
    expect(at).toMatch(/^\/admin\/agreements\/proposals\/\d+\?done=proposed$/);
    const mine = await shire.get(at);
    expect(mine.text).toContain('Proposal recorded with your acceptance');
    expect(mine.text).toContain('Waiting for acceptance');
    expect(mine.text).not.toContain('/accept"'); // already answered
    expect((await t.call(who.outsider, 'GET', `/api/v1/plans/${planId}`)).status).toBe(403);

    // The other party's administrator sees it waiting on their home page, and accepts.
    const home = await south.get('/admin');
    expect(home.text).toContain('Waiting for your organisation to accept or decline');
    expect(home.text).toContain('New agreement SELF-1');
    const id = at.split('/').at(-1)!.split('?')[0];
    const page = await south.get(`/admin/agreements/proposals/${id}`);
    expect(page.text).toContain('Accept for Southbank Mental Health Trust');
    expect((await south.post(`/admin/agreements/proposals/${id}/accept`, {}, { origin: 'https://evil.example' })).status).toBe(403);
    const accepted = await south.post(`/admin/agreements/proposals/${id}/accept`, {});
    expect(accepted.status).toBe(303);
    expect(accepted.location).toBe(`/admin/agreements/proposals/${id}?done=in-force`);
    expect((await south.get(accepted.location!)).text).toContain('the agreement is in force');
    expect((await t.call(who.outsider, 'GET', `/api/v1/plans/${planId}`)).status).toBe(200);
    expect((await south.get('/admin')).text).toContain('Nothing is waiting for your organisation&#39;s acceptance.');
    const agreement = await south.get('/admin/agreements/SELF-1');
    expect(agreement.text).toContain('demo.shire-admin');
    expect(agreement.text).toContain('demo.admin');

    // A non-party's administrator sees the proposal but is offered no answer.
    const police = await signedIn(t, 'demo.police-admin');
    expect((await police.get(`/admin/agreements/proposals/${id}`)).text).not.toContain('Accept for');
    const notParty = await police.get('/admin/agreements/SELF-1');
    expect(notParty.text).toContain('Only the administrators of its parties');
    expect(notParty.text).not.toContain('End this agreement now');
    expect(agreement.text).toContain('End this agreement now');
  });

  it('declining asks why on a confirmation page; a change keeps the agreement as it is until accepted', async () => {
    const t = await testApp();
    const south = await signedIn(t, 'demo.admin');
    const change = await south.post('/admin/agreements/DSA-DEMO-001/changes', {
      'to-day': '31',
      'to-month': '12',
      'to-year': '2031',
      reason: 'renewal for five years',
    });
    expect(change.status).toBe(303);
    const id = change.location!.split('/').at(-1)!.split('?')[0];
    const agreement = await south.get('/admin/agreements/DSA-DEMO-001');
    expect(agreement.text).toContain('A change is waiting for acceptance');
    expect(agreement.text).not.toContain('31 Dec 2031');
    const bad = await south.post('/admin/agreements/DSA-DEMO-001/changes', {
      'to-day': '31',
      'to-month': '2',
      'to-year': '2031',
      reason: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#to-day"');

    const police = await signedIn(t, 'demo.police-admin');
    const confirm = await police.get(`/admin/agreements/proposals/${id}/decline`);
    expect(confirm.text).toContain('Decline proposal');
    expect(confirm.text).toContain('the agreement stays as it is');
    const noReason = await police.post(`/admin/agreements/proposals/${id}/decline`, { reason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('href="#reason"');
    const declined = await police.post(`/admin/agreements/proposals/${id}/decline`, { reason: 'Our board has not approved five years' });
    expect(declined.status).toBe(303);
    const after = await police.get(declined.location!);
    expect(after.text).toContain('Proposal declined');
    expect(after.text).toContain('Our board has not approved five years');
    const gov = (await t.events())
      .filter((e) => e.action === 'governance')
      .map((e) => [(e.query as { op: string }).op, e.actorSub, e.channel]);
    expect(gov).toEqual([
      ['agreement.propose-change', 'demo.admin', 'web'],
      ['agreement.decline', 'demo.police-admin', 'web'],
    ]);
  });
});
