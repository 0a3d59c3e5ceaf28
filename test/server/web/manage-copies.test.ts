import { asc, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { importRecordFrom, planBody, planIdOf, publishPlans, tempDir, testApp, type TestApp } from '../../helpers.js';
import { pdfText, signedIn } from './helpers.js';

const copies = async (t: TestApp) => {
  const { personCopies: c } = t.db.t;
  return t.db.many(
    t.db.q
      .select({
        planId: c.planId,
        version: c.version,
        withoutIdentifiers: c.withoutIdentifiers,
        printedBy: c.printedBy,
        printedAt: c.printedAt,
      })
      .from(c)
      .orderBy(asc(c.id)),
  );
};
/** The PDF's bytes (the test browser reads bodies as text). */
async function download(t: TestApp, b: { jar: Map<string, string> }, url: string) {
  const res = await t.app.request(url, { headers: { cookie: [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
  return { res, pdf: new Uint8Array(await res.arrayBuffer()) };
}
const pdfLink = (html: string) => html.match(/href="(\/manage\/plans\/[^/]+\/copies\/\d+\/pdf)"/)?.[1];

describe("the person's own copy of their plan", () => {
  it('prints the published plan written to the person, records it once whatever is refreshed, and shows which copy they hold', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const author = await signedIn(t, 'demo.author');
    const before = await author.get(`/manage/plans/${planId}`);
    expect(before.text).toContain('No copy of this plan has been printed for the person yet');
    expect(before.text).toContain('Print the person&#39;s copy of version 1');

    // Post, then redirect: the post records the copy, the plan's page offers the PDF by a GET.
    const posted = await author.post(`/manage/plans/${planId}/copies`, {});
    expect(posted.status).toBe(303);
    expect(posted.location).toBe(`/manage/plans/${planId}?done=copy#person-copy`);
    const shown = await author.get(posted.location!);
    expect(shown.text).toContain('Recorded: the person&#39;s copy of version 1');
    expect(shown.text).toContain('The person holds version 1, printed on 23 Nov 2026');
    const link = pdfLink(shown.text)!;
    expect(link).toBeDefined();
    const { res, pdf } = await download(t, author, link);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="response-plan-version-1.pdf"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const dir = tempDir();
    const text = pdfText(pdf, dir).replace(/\s+/g, ' ');
    expect(text).toContain('Your crisis response plan');
    expect(text).toContain('When you are in crisis, responders will read this first');
    expect(text).toContain('Speak to Eff by name, calmly, one responder.');
    expect(text).toContain('What helps you');
    expect(text).toContain('Who we will call');
    expect(text).toContain('Sister (synthetic): 07700 900001. They agreed that responders may call them.');
    expect(text).toContain('In your own words');
    expect(text).toContain('“Please give me a minute.”');
    expect(text).toContain("Aoife Niamh O'Sullivan-Nowak");
    expect(text).toContain('14 March 1991');
    expect(text).toContain('943 476 5919');
    // The version and its date on every page.
    const pages = pdfText(pdf, dir)
      .split('\f')
      .filter((p) => p.trim());
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages) expect(p.replace(/\s+/g, ' ')).toContain('Version 1, published 23 November 2026');
    expect((await t.events()).at(-1)).toMatchObject({ action: 'print', channel: 'web', planId, outcome: 'allowed' });

    // Refreshing the page after the post, or downloading again, records no second copy.
    await author.get(posted.location!);
    expect((await author.get(link)).status).toBe(200);
    expect(await copies(t)).toEqual([
      { planId, version: 1, withoutIdentifiers: false, printedBy: 'demo.author', printedAt: t.clock().toISOString() },
    ]);

    // A new version published since: the console says the person's copy is out of date.
    await publishPlans(t.db, [importRecordFrom(planBody({ summary: 'Speak calmly. Offer the crisis café first.' }))]);
    const stale = await author.get(`/manage/plans/${planId}`);
    expect(stale.text).toContain('The person&#39;s copy is out of date: version 2 was published since; print a new copy.');
    expect(stale.text).toContain('The person holds version 1');
    // The old copy still downloads as it was printed (version 1), so it can be compared with the new one.
    const old = pdfText((await download(t, author, link)).pdf, dir).replace(/\s+/g, ' ');
    expect(old).toContain('Version 1, published 23 November 2026');
    expect(old).toContain('Speak to Eff by name');
    const reprint = await author.post(`/manage/plans/${planId}/copies`, {});
    expect(reprint.status).toBe(303);
    const fresh = await author.get(`/manage/plans/${planId}`);
    expect(fresh.text).toContain('The person holds version 2');
    expect(fresh.text).not.toContain('is out of date');
    expect((await copies(t)).map((c) => c.version)).toEqual([1, 2]);
    // The record is what was handed over: no code path rewrites it.
    // (drizzle wraps the database's refusal: its message is the cause's)
    await expect(t.db.exec(sql`UPDATE person_copies SET version = 3`)).rejects.toHaveProperty(
      'cause.message',
      expect.stringMatching(/append-only/),
    );
    await expect(t.db.exec(sql`DELETE FROM person_copies`)).rejects.toHaveProperty('cause.message', expect.stringMatching(/append-only/));
  });

  it('prints the summary without identifying details: no name, date of birth, NHS number, address or reference', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const author = await signedIn(t, 'demo.author');
    const posted = await author.post(`/manage/plans/${planId}/copies`, { withoutIdentifiers: 'yes' });
    expect(posted.status).toBe(303);
    const shown = await author.get(posted.location!);
    expect(shown.text).toContain('(the summary without identifying details)');
    const { res, pdf } = await download(t, author, pdfLink(shown.text)!);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="response-plan-version-1-summary.pdf"');
    const text = pdfText(pdf, tempDir()).replace(/\s+/g, ' ');
    expect(text).toContain('When you are in crisis, responders will read this first');
    expect(text).toContain('Version 1, published 23 November 2026');
    expect(text).toContain('Speak to [name] by name, calmly, one responder.');
    for (const identifying of [
      'Aoife',
      'Niamh',
      "O'Sullivan",
      'Nowak',
      'Eff ',
      'Blue',
      '1991',
      '14 March',
      '943 476 5919',
      '9434765919',
      'Lambeth',
      'SB-000001',
      '07700 900001',
    ]) {
      expect(text).not.toContain(identifying);
    }
    expect(await copies(t)).toMatchObject([{ withoutIdentifiers: true }]);
  });

  it('is for authors of the owning trust only: approvers, another trust and responders are refused and nothing is recorded', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    await publishPlans(t.db, [importRecordFrom(planBody({ externalRef: 'NG-1' }), 'northgate-mh')]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const theirs = await planIdOf(t.db, 'NG-1', 'northgate-mh');
    const author = await signedIn(t, 'demo.author');
    await author.post(`/manage/plans/${planId}/copies`, {});
    const link = pdfLink((await author.get(`/manage/plans/${planId}`)).text)!;

    const approver = await signedIn(t, 'demo.approver');
    const page = await approver.get(`/manage/plans/${planId}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('The person&#39;s copy');
    expect((await approver.post(`/manage/plans/${planId}/copies`, {})).status).toBe(403);
    expect((await approver.get(link)).status).toBe(403);

    // Another trust's plan, for this trust's author.
    expect((await author.post(`/manage/plans/${theirs}/copies`, {})).status).toBe(403);

    const officer = await signedIn(t, 'demo.officer');
    await officer.statePurpose();
    expect((await officer.post(`/manage/plans/${planId}/copies`, {})).status).toBe(403);
    expect((await officer.get(link)).status).toBe(403);

    expect(await copies(t)).toHaveLength(1);
    // The approver's attempt to take the copy is in the log as a refused print.
    expect((await t.events()).filter((e) => e.action === 'print' && e.outcome !== 'allowed')).toMatchObject([
      { planId, actorSub: 'demo.approver' },
    ]);
  });

  it('refuses to print a plan that is not published', async () => {
    const t = await testApp();
    const author = await signedIn(t, 'demo.author');
    const made = await author.post('/manage/plans/new', {
      externalRef: 'SB-NEW',
      'subject.givenNames': 'Nia',
      'subject.familyName': 'Testperson',
      'subject.dateOfBirth.day': '14',
      'subject.dateOfBirth.month': '3',
      'subject.dateOfBirth.year': '1991',
      'plan.summary': 'Speak calmly.',
      'governance.lawfulBasis': 'public-task',
      'governance.reviewBy.day': '1',
      'governance.reviewBy.month': '4',
      'governance.reviewBy.year': '2027',
    });
    const planId = made.location!.match(/\/manage\/plans\/([^/]+)\//)![1]!;
    expect((await author.get(`/manage/plans/${planId}`)).text).not.toContain('Print the person');
    const refused = await author.post(`/manage/plans/${planId}/copies`, {});
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Publish the plan before printing the person&#39;s copy');
    expect(await copies(t)).toHaveLength(0);
  });
});
