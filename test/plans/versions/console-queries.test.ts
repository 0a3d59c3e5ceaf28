import { describe, expect, it } from 'vitest';
import { createDraft, createPlan, editDraft, reject, submitForReview, withdraw } from '../../../src/plans/versions/workflow.js';
import { authorHome, reviewQueue } from '../../../src/plans/versions/queues.js';
import { countWords, readability, readingSeconds, RESPONDER_WORDS_PER_MINUTE } from '../../../src/plans/versions/readability.js';
import { wordDiff } from '../../../src/plans/versions/word-diff.js';
import type { Actor } from '../../../src/plans/core/actor.js';
import { loadConfig } from '../../../src/config.js';
import { approveAsReviewed, importRecordFrom, planBody, planIdOf, publishPlans, testApp, testClock, who } from '../../helpers.js';

const actor = (w: (typeof who)[keyof typeof who]): Actor => ({ ...w, orgKind: 'mental-health' });
const { author, approver, officer } = {
  author: actor(who.author),
  approver: actor(who.approver),
  officer: { ...who.officer, orgKind: 'police' as const },
};

describe('readability figures', () => {
  it('counts words (hyphenated and apostrophes as one) and reading time at the responder rate', () => {
    expect(countWords("Speak to Eff by name, calmly — one responder. O'Sullivan-Nowak's café 24/7")).toBe(12);
    expect(RESPONDER_WORDS_PER_MINUTE).toBe(150);
    expect(readingSeconds(75)).toBe(30);
    expect(readingSeconds(1)).toBe(1);
    const r = readability(planBody().plan, 10);
    expect(r.summary).toEqual({ words: 12, seconds: 5, warnAt: 10, overLimit: true });
    const behaviours = r.sections.find((s) => s.section === 'crisisBehaviours')!;
    expect(behaviours.words).toBe(8);
    // Nominated people count their names and phones, not the consent flag.
    expect(r.sections.find((s) => s.section === 'nominatedPeople')!.words).toBe(
      countWords('Sister (synthetic) 07700 900001 Ex-partner (synthetic) 07700 900002'),
    );
    expect(r.total.words).toBe(r.sections.reduce((n, s) => n + s.words, 0));
    expect(r.total.seconds).toBe(readingSeconds(r.total.words));
    expect(readability(planBody().plan).summary.overLimit).toBe(false);
    expect(loadConfig({}).summaryWarnWords).toBe(75);
    expect(loadConfig({ SUMMARY_WARN_WORDS: '60' }).summaryWarnWords).toBe(60);
    expect(() => loadConfig({ SUMMARY_WARN_WORDS: 'many' })).toThrow(/SUMMARY_WARN_WORDS/);
  });

  it('diffs by word: what was added and what was removed', () => {
    const d = wordDiff('Speak calmly, one responder.', 'Speak slowly and calmly, two responders at most.');
    expect(d.parts.filter((p) => p.change === 'added').map((p) => p.text.trim())).toContain('slowly and');
    expect(
      d.parts
        .filter((p) => p.change === 'removed')
        .map((p) => p.text.trim())
        .join(' '),
    ).toMatch(/one/);
    expect(d.wordsAdded).toBeGreaterThanOrEqual(4);
    expect(d.wordsRemoved).toBeGreaterThanOrEqual(2);
    expect(wordDiff('same words', 'same words')).toMatchObject({ wordsAdded: 0, wordsRemoved: 0 });
  });
});

describe('the review queue and the author home', () => {
  it('lists versions in review oldest first with author, age and size; approvers only, own trust only', async () => {
    const clock = testClock('2026-11-20T09:00:00Z');
    const t = await testApp({ clock });
    await publishPlans(t.db, [importRecordFrom(planBody({ externalRef: 'SB-OLD' }))]);
    const oldId = await planIdOf(t.db, 'SB-OLD');
    const draft = await createDraft(t.db, author, oldId, undefined, clock());
    if (!draft.ok) throw new Error(draft.detail);
    const body = planBody({ summary: 'Speak to Eff by name, slowly, one responder only. Offer the crisis café.' });
    const { externalRef: _r, ...draftBody } = body;
    expect((await editDraft(t.db, author, draft.value, draftBody, clock())).ok).toBe(true);
    expect((await submitForReview(t.db, author, draft.value, clock())).ok).toBe(true);
    clock.set('2026-11-21T09:00:00Z');
    const fresh = await createPlan(t.db, actor(who.author2), planBody({ externalRef: 'SB-NEW', givenNames: 'Bryn' }), clock());
    if (!fresh.ok) throw new Error(fresh.detail);
    await submitForReview(t.db, actor(who.author2), fresh.value, clock());
    clock.set('2026-11-23T10:00:00Z');

    const queue = await reviewQueue(t.db, approver, clock());
    if (!queue.ok) throw new Error(queue.detail);
    expect(queue.value.map((i) => i.externalRef)).toEqual(['SB-OLD', 'SB-NEW']);
    const [old, young] = queue.value;
    expect(old).toMatchObject({ submittedBy: 'author.a', authors: ['author.a'], waitingHours: 73, firstVersion: false });
    expect(old!.change).toEqual({ sections: 1, wordsAdded: 2, wordsRemoved: 1 });
    expect(young).toMatchObject({ submittedBy: 'author.b', firstVersion: true, change: { sections: null } });
    expect(await reviewQueue(t.db, author, clock())).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await reviewQueue(t.db, actor(who.otherTrustApprover), clock())).toMatchObject({ ok: true, value: [] });
  });

  it('filters by state, review date and search, and says who last touched each plan', async () => {
    const clock = testClock('2026-11-23T10:00:00Z');
    const t = await testApp({ clock });
    await publishPlans(t.db, [
      importRecordFrom(planBody({ externalRef: 'SB-DUE', givenNames: 'Ceri', reviewBy: '2026-12-10' })),
      importRecordFrom(planBody({ externalRef: 'SB-LATE', givenNames: 'Dilys', reviewBy: '2026-11-01' })),
      importRecordFrom(planBody({ externalRef: 'SB-GONE', givenNames: 'Emrys' })),
    ]);
    const gone = await planIdOf(t.db, 'SB-GONE');
    expect((await withdraw(t.db, approver, { planId: gone, version: 1 }, 'moved away from the area', clock())).ok).toBe(true);
    const made = await createPlan(t.db, author, planBody({ externalRef: 'SB-RET', givenNames: 'Ffion' }), clock());
    if (!made.ok) throw new Error(made.detail);
    await submitForReview(t.db, author, made.value, clock());
    expect((await reject(t.db, approver, made.value, 'Please shorten the summary', clock())).ok).toBe(true);
    const review = await createPlan(t.db, author, planBody({ externalRef: 'SB-REV', givenNames: 'Gwyn' }), clock());
    if (!review.ok) throw new Error(review.detail);
    await submitForReview(t.db, author, review.value, clock());
    await createPlan(t.db, author, planBody({ externalRef: 'SB-DRAFT', givenNames: 'Huw' }), clock());

    const home = async (q: Partial<{ q: string; filter: Parameters<typeof authorHome>[2]['filter'] }>) => {
      const r = await authorHome(t.db, author, { q: q.q ?? '', filter: q.filter ?? 'all' }, clock());
      if (!r.ok) throw new Error(r.detail);
      return r.value;
    };
    const refs = async (q: Parameters<typeof home>[0]) => (await home(q)).items.map((i) => i.externalRef).sort();
    expect(await refs({ filter: 'draft' })).toEqual(['SB-DRAFT']);
    expect(await refs({ filter: 'returned' })).toEqual(['SB-RET']);
    expect(await refs({ filter: 'in-review' })).toEqual(['SB-REV']);
    expect(await refs({ filter: 'published' })).toEqual(['SB-DUE', 'SB-LATE']);
    expect(await refs({ filter: 'due' })).toEqual(['SB-DUE']);
    expect(await refs({ filter: 'overdue' })).toEqual(['SB-LATE']);
    expect(await refs({ filter: 'withdrawn' })).toEqual(['SB-GONE']);
    expect(await refs({ q: 'ffion' })).toEqual(['SB-RET']);
    expect(await refs({ q: 'sb-d' })).toEqual(['SB-DRAFT', 'SB-DUE']);
    const all = await home({});
    expect(all.counts).toMatchObject({ all: 6, draft: 1, returned: 1, 'in-review': 1, published: 2, due: 1, overdue: 1, withdrawn: 1 });
    const returned = all.items.find((i) => i.externalRef === 'SB-RET')!;
    expect(returned).toMatchObject({
      state: 'returned',
      returnComment: 'Please shorten the summary',
      lastTouched: { by: 'approver.a', action: 'rejected' },
    });
    expect(all.items.find((i) => i.externalRef === 'SB-GONE')!.lastTouched).toMatchObject({ by: 'approver.a', action: 'withdrawn' });
    expect(await authorHome(t.db, officer, { q: '', filter: 'all' }, clock())).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await authorHome(t.db, actor(who.otherTrustAuthor), { q: '', filter: 'all' }, clock())).toMatchObject({
      ok: true,
      value: { matching: 0 },
    });
    // An approved revision publishes: the plan is published again, not returned.
    expect((await approveAsReviewed(t.db, approver, review.value, clock())).ok).toBe(true);
    expect((await home({ filter: 'published' })).items.map((i) => i.externalRef)).toContain('SB-REV');
  });
});
