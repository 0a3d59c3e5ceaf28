import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/plans/core/actor.js';
import type { CreatePlanBody } from '../../../src/plans/core/content.js';
import { createDraft, editDraft, submitForReview } from '../../../src/plans/versions/workflow.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, who, type TestApp } from '../../helpers.js';
import { signedIn } from './helpers.js';

const REVIEW = 'Care plan review with the person';

const mh = (w: { sub: string; org: string; roles: Actor['roles'] }): Actor => ({ ...w, orgKind: 'mental-health' });

/** The part of a console page that shows the plan as a responder kind reads it (up to what follows it). */
function asResponders(html: string) {
  const start = html.indexOf('id="as-responders"');
  expect(start, 'the page shows the plan as responders will see it').toBeGreaterThan(-1);
  const rest = html.slice(start);
  // The preview ends where the page's own next part starts: the field list or the diff, the decision, sending it.
  const stop = rest.search(/id="changes"|id="send"|<h2>Your decision/);
  return stop > -1 ? rest.slice(0, stop) : rest;
}

/** A new plan written through the API and sent for review: its first version. */
async function firstVersion(
  t: TestApp,
  body: CreatePlanBody = planBody({ externalRef: 'SB-NEW-1', summary: 'Approach alone; she trusts one calm voice.' }),
) {
  const made = await t.call(who.author, 'POST', '/api/v1/plans', { body });
  expect((await t.call(who.author, 'POST', `/api/v1/plans/${made.json.planId}/versions/1/submit`)).status).toBe(200);
  return made.json.planId as string;
}

/** A published plan and a submitted revision by `by`, changing the given names, the summary and the agreement. */
async function revision(t: TestApp, by: Actor = mh(who.author)) {
  await publishPlans(t.db, [importRecordFrom(planBody())]);
  const planId = await planIdOf(t.db, 'SB-000001');
  const draft = await createDraft(t.db, by, planId, undefined, t.clock());
  if (!draft.ok) throw new Error(draft.detail);
  const { externalRef: _x, ...body } = planBody({
    givenNames: 'Aoife',
    summary: 'Speak to Eff by name, slowly, one responder only. Offer the crisis café.',
  });
  body.governance = { ...body.governance, coProduced: false, agreedBySubjectOn: undefined };
  expect((await editDraft(t.db, by, draft.value, body, t.clock())).ok).toBe(true);
  expect((await submitForReview(t.db, by, draft.value, t.clock())).ok).toBe(true);
  return { planId, version: draft.value.version };
}

describe('the approver reads the plan as responders will', () => {
  it('shows a first version whole, as each responder kind will see it, with a link for each', async () => {
    const t = await testApp();
    const planId = await firstVersion(t);
    const approver = await signedIn(t, 'demo.approver', REVIEW);
    const base = `/manage/reviews/${planId}/1`;

    const page = await approver.get(base);
    expect(page.status).toBe(200);
    expect(page.text.length).toBeLessThan(50_000);
    const shown = asResponders(page.text);
    for (const text of [
      'Approach alone; she trusts one calm voice.', // summary
      'Stands by the railings', // behaviours
      'Anniversaries',
      'Waterloo Bridge (north end steps)', // places
      'Riverside Crisis Café (synthetic)',
      'Sister (synthetic)', // people
      'Duty coordinator',
      'href="tel:07700900001"', // phone numbers, as links
      'href="tel:02079460001"',
      'Please give me a minute.',
    ]) {
      expect(shown).toContain(text);
    }
    // Nobody outside the care team sees a nominated person who did not agree to be contacted.
    expect(shown).not.toContain('Ex-partner');
    // Without ?as= it is a health responder's view, the fullest: the clinical sections are there.
    expect(shown).toContain('Recurrent depressive disorder');
    for (const kind of ['police', 'ambulance', 'emergency-department']) expect(shown).toContain(`href="${base}?as=${kind}#as-responders"`);

    const police = asResponders((await approver.get(`${base}?as=police`)).text);
    expect(police).toContain('Approach alone; she trusts one calm voice.');
    expect(police).not.toContain('Recurrent depressive disorder');
    expect(police).not.toContain('Has capacity for treatment decisions');
    expect(police).toContain('Not shown to the police: Diagnosis, Mental capacity.');
    expect(police).toMatch(/href="[^"]*\?as=police#as-responders" aria-current="page"/);

    for (const kind of ['ambulance', 'emergency-department']) {
      const health = asResponders((await approver.get(`${base}?as=${kind}`)).text);
      expect(health).toContain('Recurrent depressive disorder');
      expect(health).toContain('Has capacity for treatment decisions');
      expect(health).not.toContain('Not shown to');
    }

    const bad = await approver.get(`${base}?as=nurse`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('must be police, ambulance or emergency-department');
    expect((await t.events()).at(-2)).toMatchObject({ action: 'view', channel: 'web', planId, outcome: 'allowed' });
  });

  it('a change keeps its side-by-side diff, names each part as people know it, and shows the plan as it will read', async () => {
    const t = await testApp();
    const { planId, version } = await revision(t);
    const approver = await signedIn(t, 'demo.approver', REVIEW);
    const page = await approver.get(`/manage/reviews/${planId}/${version}?as=police`);
    expect(page.status).toBe(200);
    expect(page.text.length).toBeLessThan(50_000);
    expect(asResponders(page.text)).toContain('Speak to Eff by name, slowly, one responder only.');
    expect(page.text).toMatch(/<del>calmly<\/del>/);
    expect(page.text).toMatch(/<ins>slowly<\/ins>/);
    // People's words for what changed: the form's sections and labels, the plan's section titles.
    expect(page.text).toContain('About the person: Given names: changed');
    expect(page.text).toContain('30-second summary: changed');
    expect(page.text).toContain('Agreement and review: The person wrote this plan with us and agreed it: changed');
    expect(page.text).toContain('Agreement and review: When they agreed it: removed');
    for (const internal of ['givenNames', 'plan.summary', 'coProduced', 'agreedBySubjectOn', 'Person: ', 'Agreement: '])
      expect(page.text).not.toContain(internal);
    expect(page.text).toMatch(/Unchanged: [^<]*About the person: Family name/);
  });

  it("history's compare shows the words added and removed, under the names people know", async () => {
    const t = await testApp();
    const { planId } = await revision(t);
    const approver = await signedIn(t, 'demo.approver', REVIEW);
    const page = await approver.get(`/manage/plans/${planId}/history?from=1&to=2`);
    expect(page.status).toBe(200);
    expect(page.text.length).toBeLessThan(50_000);
    expect(page.text).toContain('<del>calmly</del>');
    expect(page.text).toContain('<ins>slowly</ins>');
    expect(page.text).toContain('Aoife<del> Niamh</del>');
    expect(page.text).toContain('30-second summary: changed (2 words added, 1 removed)');
    expect(page.text).toContain('About the person: Given names: changed');
    for (const internal of ['givenNames', 'plan.summary', 'coProduced']) expect(page.text).not.toContain(internal);
  });

  it("offers approval only on others' work: on their own submission the queue and the review say someone else must approve", async () => {
    const t = await testApp();
    // demo.approver also edited this version (as an author elsewhere in their work).
    const { planId, version } = await revision(t, mh({ sub: 'demo.approver', org: 'southbank-mh', roles: ['author', 'approver'] }));
    const other = await firstVersion(t);
    const approver = await signedIn(t, 'demo.approver', REVIEW);

    const queue = await approver.get('/manage/reviews');
    expect(queue.status).toBe(200);
    const row = (id: string) =>
      queue.text.slice(
        queue.text.lastIndexOf('<tr>', queue.text.indexOf(`/manage/reviews/${id}/`)),
        queue.text.indexOf('</tr>', queue.text.indexOf(`/manage/reviews/${id}/`)),
      );
    expect(row(planId)).toContain('You wrote or edited part of this version, so someone else must approve it.');
    expect(row(planId)).not.toContain('Read and approve');
    expect(row(other)).toContain('Read and approve');
    expect(row(other)).not.toContain('someone else must approve');

    const own = await approver.get(`/manage/reviews/${planId}/${version}`);
    expect(own.status).toBe(200);
    expect(own.text).toContain('You wrote or edited part of this version, so someone else must approve it.');
    expect(own.text).not.toContain('/approve"');
    expect(own.text).not.toContain('Approve and publish');
    // They may still send it back to draft with a comment.
    expect(own.text).toContain(`action="/manage/reviews/${planId}/${version}/return"`);
    expect((await approver.get(`/manage/reviews/${other}/1`)).text).toContain('Approve and publish');
  });
});

describe('the author previews a draft as responders will see it', () => {
  it('from the plan page: the same switch, and sending for review from there', async () => {
    const t = await testApp();
    const made = await t.call(who.author, 'POST', '/api/v1/plans', {
      body: planBody({ externalRef: 'SB-NEW-2', summary: 'Approach alone; she trusts one calm voice.' }),
    });
    const planId = made.json.planId as string;
    const author = await signedIn(t, 'demo.author', REVIEW);
    const overview = await author.get(`/manage/plans/${planId}`);
    expect(overview.text).toContain(`href="/manage/plans/${planId}/preview"`);

    const page = await author.get(`/manage/plans/${planId}/preview?as=police`);
    expect(page.status).toBe(200);
    expect(page.text.length).toBeLessThan(50_000);
    const police = asResponders(page.text);
    for (const text of [
      'Approach alone; she trusts one calm voice.',
      'Stands by the railings',
      'Waterloo Bridge',
      'Sister (synthetic)',
      'href="tel:07700900001"',
    ])
      expect(police).toContain(text);
    expect(police).not.toContain('Recurrent depressive disorder');
    expect(police).not.toContain('Ex-partner');
    expect(police).toContain(`href="/manage/plans/${planId}/preview?as=emergency-department#as-responders"`);
    expect(page.text).toContain(`action="/manage/plans/${planId}/submit"`);
    expect((await t.events()).at(-1)).toMatchObject({ action: 'view', channel: 'web', planId, outcome: 'allowed' });

    const ed = asResponders((await author.get(`/manage/plans/${planId}/preview?as=emergency-department`)).text);
    expect(ed).toContain('Recurrent depressive disorder');
    expect((await author.get(`/manage/plans/${planId}/preview?as=fire`)).status).toBe(400);

    // Sent for review, the preview stays (what the approver will read) without a second "send".
    expect((await author.post(`/manage/plans/${planId}/submit`, {})).status).toBe(303);
    const sent = await author.get(`/manage/plans/${planId}/preview`);
    expect(sent.status).toBe(200);
    expect(sent.text).not.toContain(`action="/manage/plans/${planId}/submit"`);
    // Another trust's author cannot preview it.
    const outsider = await signedIn(t, 'demo.officer', REVIEW);
    expect((await outsider.get(`/manage/plans/${planId}/preview`)).status).toBe(403);
  });
});
