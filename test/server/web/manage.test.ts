import { describe, expect, it } from 'vitest';
import { findVersion } from '../../../src/plans/versions/store.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, who } from '../../helpers.js';
import { accessFlags, CARE_PLANNING } from '../../../src/plans/access-log/flags.js';
import { signedIn } from './helpers.js';

// Console sign-ins state no purpose: the console records the care team's own work as "care planning".

const newPlan = {
  externalRef: 'SB-WEB-1',
  'subject.givenNames': 'Nia',
  'subject.familyName': 'Testperson',
  'subject.preferredName': '',
  'subject.dateOfBirth.day': '14',
  'subject.dateOfBirth.month': '3',
  'subject.dateOfBirth.year': '1991',
  'plan.summary': 'Speak calmly. One responder.',
  'governance.lawfulBasis': 'public-task',
  'governance.reviewBy.day': '1',
  'governance.reviewBy.month': '4',
  'governance.reviewBy.year': '2027',
};

const planIdFrom = (location: string | null) => location!.match(/\/manage\/plans\/([^/]+)\//)![1]!;

describe('the authoring console: write and revise', () => {
  it('keeps everything typed when a new plan is refused, names each field in a summary linking to it, then creates the draft', async () => {
    const t = await testApp();
    const b = await signedIn(t, 'demo.author');
    const bad = await b.post('/manage/plans/new', {
      ...newPlan,
      'subject.givenNames': '',
      'subject.dateOfBirth.month': '13',
      'governance.lawfulBasis': '',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('There is a problem');
    expect(bad.text).toContain('href="#subject.givenNames"');
    expect(bad.text).toContain('Given names must be filled in');
    expect(bad.text).toContain('href="#subject.dateOfBirth.day"');
    expect(bad.text).toContain('Date of birth must be a real date');
    expect(bad.text).toContain('Lawful basis for sharing must be chosen from the list');
    // What was typed is still there.
    expect(bad.text).toContain('value="Testperson"');
    expect(bad.text).toContain('Speak calmly. One responder.');
    expect(bad.text).toContain('value="13"');

    const made = await b.post('/manage/plans/new', newPlan);
    expect(made.status).toBe(303);
    expect(made.location).toMatch(/^\/manage\/plans\/[A-Za-z0-9_-]{16}\/edit\?section=person&saved=1$/);
    const again = await b.post('/manage/plans/new', newPlan);
    expect(again.status).toBe(400);
    expect(again.text).toContain('already has a plan with the reference SB-WEB-1');
  });

  it('adds another behaviour row without saving, saves two behaviours and a nominated person with consent, and refuses a half-filled row by name', async () => {
    const t = await testApp();
    const b = await signedIn(t, 'demo.author');
    const planId = planIdFrom((await b.post('/manage/plans/new', newPlan)).location);
    const url = `/manage/plans/${planId}/edit?section=behaviours`;
    const page = await b.get(url);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Add a behaviour');

    const one = await b.post(url, { 'plan.crisisBehaviours.count': '0', add: 'plan.crisisBehaviours' });
    expect(one.status).toBe(200);
    expect(one.text).toContain('name="plan.crisisBehaviours.0.behaviour"');
    const typed = { 'plan.crisisBehaviours.count': '1', 'plan.crisisBehaviours.0.behaviour': 'Walks to the bridge' };
    const two = await b.post(url, { ...typed, add: 'plan.crisisBehaviours' });
    expect(two.text).toContain('Walks to the bridge');
    expect(two.text).toContain('name="plan.crisisBehaviours.1.behaviour"');
    expect((await findVersion(t.db, planId, 1))!.content.crisisBehaviours).toEqual([]);

    const half = await b.post(url, {
      'plan.crisisBehaviours.count': '2',
      'plan.crisisBehaviours.0.behaviour': 'Walks to the bridge',
      'plan.crisisBehaviours.1.triggers': 'Loud voices',
      save: 'stay',
    });
    expect(half.status).toBe(400);
    expect(half.text).toContain('Crisis behaviours, behaviour 2: What they may do must be filled in');
    expect(half.text).toContain('href="#plan.crisisBehaviours.1.behaviour"');
    expect(half.text).toContain('Loud voices');
    expect((await findVersion(t.db, planId, 1))!.content.crisisBehaviours).toEqual([]);

    const saved = await b.post(url, {
      'plan.crisisBehaviours.count': '2',
      'plan.crisisBehaviours.0.behaviour': 'Walks to the bridge',
      'plan.crisisBehaviours.1.behaviour': 'Stops talking',
      'plan.crisisBehaviours.1.triggers': 'Loud voices',
      save: 'helps',
    });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`/manage/plans/${planId}/edit?section=helps&saved=1`);
    expect((await findVersion(t.db, planId, 1))!.content.crisisBehaviours).toEqual([
      { behaviour: 'Walks to the bridge' },
      { behaviour: 'Stops talking', triggers: 'Loud voices' },
    ]);

    const people = `/manage/plans/${planId}/edit?section=people`;
    const p = await b.post(people, {
      'plan.nominatedPeople.count': '1',
      'plan.nominatedPeople.0.name': 'Brother (synthetic)',
      'plan.nominatedPeople.0.phone': '07700 900123',
      'plan.nominatedPeople.0.consentToContact': 'yes',
      'plan.careTeam.count': '0',
      save: 'stay',
    });
    expect(p.status).toBe(303);
    const v = (await findVersion(t.db, planId, 1))!;
    expect(v.content.nominatedPeople).toEqual([{ name: 'Brother (synthetic)', phone: '07700 900123', consentToContact: true }]);
    // Sections not on the page are untouched by its save.
    expect(v.content.crisisBehaviours).toHaveLength(2);
    expect(v.content.summary).toBe('Speak calmly. One responder.');
    // Each page that showed the draft was one access event; saves are workflow events.
    const views = (await t.events()).filter((e) => e.action === 'view' && e.planId === planId);
    expect(views.length).toBeGreaterThanOrEqual(1);
    expect(views.every((e) => e.channel === 'web' && e.outcome === 'allowed')).toBe(true);
  });

  it('counts the summary on save and warns above the configured length', async () => {
    const t = await testApp();
    const b = await signedIn(t, 'demo.author');
    const planId = planIdFrom((await b.post('/manage/plans/new', newPlan)).location);
    const url = `/manage/plans/${planId}/edit?section=summary`;
    const long = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    expect((await b.post(url, { 'plan.summary': long, save: 'stay' })).status).toBe(303);
    const shown = await b.get(url);
    expect(shown.text).toContain('80 words');
    expect(shown.text).toContain('longer than 75 words');
    expect((await b.post(url, { 'plan.summary': 'Short and calm.', save: 'stay' })).status).toBe(303);
    const ok = await b.get(url);
    expect(ok.text).toContain('3 words');
    expect(ok.text).not.toContain('longer than 75 words');
  });

  it('refuses other roles, other trusts and forms from other sites with pages', async () => {
    const t = await testApp();
    const author = await signedIn(t, 'demo.author');
    const planId = planIdFrom((await author.post('/manage/plans/new', newPlan)).location);
    const officer = await signedIn(t, 'demo.officer');
    const refused = await officer.get('/manage');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('for plan authors and approvers');
    expect((await officer.post(`/manage/plans/${planId}/edit?section=summary`, { 'plan.summary': 'x', save: 'stay' })).status).toBe(403);
    const evil = await author.post(
      `/manage/plans/${planId}/edit?section=summary`,
      { 'plan.summary': 'Changed elsewhere', save: 'stay' },
      { origin: 'https://evil.example' },
    );
    expect(evil.status).toBe(403);
    expect((await findVersion(t.db, planId, 1))!.content.summary).toBe('Speak calmly. One responder.');
    const home = await author.get('/manage?filter=draft');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Nia Testperson');
    expect(home.text).toContain('demo.author started it');
  });
});

describe('the purpose of care staff in their own console', () => {
  it('is the work itself, recorded without asking, and raises no incident-reference flags; typed by a responder it is judged as any purpose', async () => {
    const t = await testApp();
    await publishPlans(
      t.db,
      ['SB-000001', 'SB-000002', 'SB-000003', 'SB-000004'].map((externalRef) => importRecordFrom(planBody({ externalRef }))),
    );
    const author = await signedIn(t, 'demo.author');
    for (const ref of ['SB-000001', 'SB-000002', 'SB-000003', 'SB-000004']) {
      const page = await author.get(`/manage/plans/${await planIdOf(t.db, ref)}`);
      expect(page.status, ref).toBe(200);
    }
    const views = (await t.events()).filter((e) => e.actorSub === 'demo.author' && e.planId);
    expect(views).toHaveLength(4);
    expect(new Set(views.map((e) => e.purpose))).toEqual(new Set([CARE_PLANNING]));
    // A responder who types the same words gets no such pass.
    for (const ref of ['SB-000001', 'SB-000002', 'SB-000003', 'SB-000004']) {
      expect((await t.call(who.officer, 'GET', `/api/v1/plans/${await planIdOf(t.db, ref)}`, { purpose: CARE_PLANNING })).status).toBe(200);
    }
    const flags = await accessFlags(t.db, 'southbank-mh', {}, t.clock());
    const about = (sub: string) => flags.filter((f) => f.actor.sub === sub).map((f) => f.kind);
    expect(about('demo.author')).toEqual([]);
    expect(about(who.officer.sub)).toContain('no-incident-reference');
  });
});

describe('writing a plan section by section', () => {
  it('a task list says where each section stands; going on is the main button; the summary shows whole; approvers are not offered the forms', async () => {
    const t = await testApp();
    const b = await signedIn(t, 'demo.author');
    const made = await b.post('/manage/plans/new', newPlan);
    const planId = planIdFrom(made.location);
    const edit = await b.get(`/manage/plans/${planId}/edit?section=summary`);
    expect(edit.status).toBe(200);
    // The summary was filled in on the first page; the behaviours are not started.
    expect(edit.text).toMatch(/section=summary"[^>]*>30-second summary<\/a> <span class="tag task-done">Done<\/span>/);
    expect(edit.text).toMatch(/<span class="tag task-not-started">Not started<\/span>/);
    expect(edit.text).toMatch(/<textarea id="plan.summary" name="plan.summary" rows="10"/);
    const buttons = [...edit.text.matchAll(/<button type="submit"( class="secondary")? name="save" value="([^"]+)">/g)].map((m) => [
      m[2],
      !!m[1],
    ]);
    expect(buttons[0]).toEqual([expect.not.stringMatching(/^stay$/), false]);
    expect(buttons[1]).toEqual(['stay', true]);
    // A summary longer than responders can take in is to check.
    const long = Array.from({ length: 90 }, () => 'calm').join(' ');
    expect((await b.post(`/manage/plans/${planId}/edit?section=summary`, { 'plan.summary': long, save: 'stay' })).status).toBe(303);
    expect((await b.get(`/manage/plans/${planId}/edit?section=summary`)).text).toMatch(
      /section=summary"[^>]*>30-second summary<\/a> <span class="tag task-warning">Check<\/span>/,
    );

    const approver = await signedIn(t, 'demo.approver');
    for (const path of ['/manage/plans/new', `/manage/plans/${planId}/edit?section=summary`]) {
      const page = await approver.get(path);
      expect(page.status, path).toBe(403);
      expect(page.text, path).toContain('writing and changing plans is for authors'.replace(/^w/, 'W'));
      expect(page.text, path).not.toContain('<form method="post"');
    }
  });
});
