import { describe, expect, it } from 'vitest';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp } from '../../helpers.js';
import { decodePng, signedIn } from './helpers.js';

const REVIEW = 'Care plan review with the person';

const dataUri = (html: string, type: string) =>
  html.match(new RegExp(`href="data:${type.replace('+', '\\+')};base64,([^"]+)" download="plan-card-\\d+[^"]*"`))?.[1];

describe('cards in the console', () => {
  it('issues a card shown once with previews and downloads, lists the history, warns and keeps the old one working until the chosen day', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const author = await signedIn(t, 'demo.author', REVIEW);
    const empty = await author.get(`/manage/plans/${planId}/cards`);
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('No card has been issued');
    expect((await t.events()).at(-1)).toMatchObject({ action: 'history', channel: 'web', planId, outcome: 'allowed' });

    // Post, then redirect: the card is shown by a GET, so a refresh issues nothing.
    const posted = await author.post(`/manage/plans/${planId}/cards`, { text: 'I have a crisis plan.' });
    expect(posted.status).toBe(303);
    expect(posted.location).toMatch(new RegExp(`^/manage/plans/${planId}/cards/issued\\?once=[A-Za-z0-9_-]{22}$`));
    expect((await t.events()).at(-1)).toMatchObject({ action: 'print', channel: 'web', planId, outcome: 'allowed' });
    const issued = await author.get(posted.location!);
    expect(issued.status).toBe(200);
    expect(issued.text).toContain('cannot be shown again');
    expect(issued.text).toContain('Card 1 issued for');
    const prints = async () => (await t.events()).filter((e) => e.action === 'print' && e.outcome === 'allowed').length;
    const refreshed = await author.get(posted.location!);
    expect(refreshed.text).toBe(issued.text);
    expect(await prints()).toBe(1);
    // Nobody else sees it, and after ten minutes neither does its author: the codes are only on the card.
    const other = await signedIn(t, 'demo.approver');
    expect((await other.get(posted.location!)).status).not.toBe(200);
    const png = Buffer.from(dataUri(issued.text, 'image/png')!, 'base64');
    const url = decodePng(png)!;
    expect(url).toMatch(/\/q\/[A-Za-z0-9_-]+$/);
    expect(Buffer.from(dataUri(issued.text, 'application/pdf')!, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    expect(Buffer.from(dataUri(issued.text, 'image/svg+xml')!, 'base64').toString()).toContain('<svg');
    expect(issued.text).toContain(`src="data:image/png;base64,`);
    expect(issued.text).toContain('FOR RESPONDERS');
    expect(issued.headers.get('cache-control')).toBe('no-store');

    const history = await author.get(`/manage/plans/${planId}/cards`);
    expect(history.text).toContain('In use');
    expect(history.text).toContain('stops the card in use working');
    expect(history.text).not.toContain(url.split('/q/')[1]!);

    const bad = await author.post(`/manage/plans/${planId}/cards`, {
      text: 'ok',
      'grace-day': '31',
      'grace-month': '2',
      'grace-year': '2026',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#grace-day"');
    const far = await author.post(`/manage/plans/${planId}/cards`, {
      text: 'ok',
      'grace-day': '1',
      'grace-month': '1',
      'grace-year': String(t.clock().getUTCFullYear() + 2),
    });
    expect(far.status).toBe(400);
    expect(far.text).toContain('at most 90 days away');
    expect((await author.get(`/manage/plans/${planId}/cards`)).text.match(/In use/g)).toHaveLength(1);

    const lastDay = new Date(t.clock().getTime() + 10 * 86_400_000);
    const second = await author.post(`/manage/plans/${planId}/cards`, {
      text: '',
      'grace-day': String(lastDay.getUTCDate()),
      'grace-month': String(lastDay.getUTCMonth() + 1),
      'grace-year': String(lastDay.getUTCFullYear()),
    });
    expect(second.status).toBe(303);
    const secondPage = await author.get(second.location!);
    expect(secondPage.text).toContain('Card 2 issued for');
    // Midnight after the chosen day (2026-12-04T00:00Z), as the console shows times: London time, zone said.
    expect(secondPage.text).toContain('stops working 4 Dec 2026, 00:00 GMT');
    const after = await author.get(`/manage/plans/${planId}/cards`);
    expect(after.text).toContain('Stops working soon');
    expect(after.text).toContain('<td>Card 1</td>');
    expect(after.text).toContain('<td>Card 2</td>');
    t.clock.set(new Date(t.clock().getTime() + 11 * 60_000).toISOString());
    const late = await author.get(posted.location!);
    expect(late.status).toBe(410);
    expect(late.text).toContain('This card can no longer be shown');
    expect(await prints()).toBe(2);
  });

  it('stops the card in use only after a confirmation, and says so', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const author = await signedIn(t, 'demo.author', REVIEW);
    expect((await author.get(`/manage/plans/${planId}/cards/revoke`)).status).toBe(404);
    await author.post(`/manage/plans/${planId}/cards`, { text: 'I have a crisis plan.' });
    const confirm = await author.get(`/manage/plans/${planId}/cards/revoke`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('will be told the card no longer works');
    const done = await author.post(`/manage/plans/${planId}/cards/revoke`, {});
    expect(done.status).toBe(303);
    const list = await author.get(done.location!);
    expect(list.text).toContain('The card has stopped working.');
    expect(list.text).not.toContain('In use');
    expect((await author.post(`/manage/plans/${planId}/cards/revoke`, {})).status).toBe(404);
  });

  it('refuses approvers (cards are for authors), forged cross-site posts, and plans that do not exist', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const approver = await signedIn(t, 'demo.approver', REVIEW);
    const page = await approver.get(`/manage/plans/${planId}/cards`);
    expect(page.status).toBe(403);
    expect(page.text).not.toContain(planBody().subject.familyName);
    expect((await approver.post(`/manage/plans/${planId}/cards`, { text: 'x' })).status).toBe(403);
    const author = await signedIn(t, 'demo.author', REVIEW);
    const forged = await author.post(`/manage/plans/${planId}/cards`, { text: 'x' }, { origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect((await author.post(`/manage/plans/${planId}/cards/revoke`, {}, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await author.get(`/manage/plans/${planId}/cards`)).text).toContain('No card has been issued');
    expect((await author.get('/manage/plans/AAAAAAAAAAAAAAAA/cards')).status).toBe(404);
    const officer = await signedIn(t, 'demo.officer', REVIEW);
    expect((await officer.get(`/manage/plans/${planId}/cards`)).status).toBe(403);
  });
});
