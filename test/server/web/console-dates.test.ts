import { describe, expect, it } from 'vitest';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp } from '../../helpers.js';
import { signedIn } from './helpers.js';

/**
 * The consoles read dates as responders do ("1 Apr 2027") and times in London time with the zone
 * ("21:28 GMT", "14:05 BST"), never ISO strings or UTC.
 */
describe('dates in the consoles', () => {
  it('the author\'s plan list and history, and the auditor\'s log, show "1 Apr 2027" and London times with the zone', async () => {
    const t = await testApp(); // the clock starts at 2026-11-23T10:00Z
    await publishPlans(t.db, [importRecordFrom(planBody({ externalRef: 'SB-DATES-1' }))]);
    const planId = await planIdOf(t.db, 'SB-DATES-1');
    const author = await signedIn(t, 'demo.author');
    const home = await author.get('/manage');
    expect(home.status).toBe(200);
    expect(home.text).toContain('1 Apr 2027'); // review by
    expect(home.text).not.toMatch(/\b\d{4}-\d\d-\d\d\b/);
    const history = await author.get(`/manage/plans/${planId}/history`);
    expect(history.status).toBe(200);
    expect(history.text).toContain('23 Nov 2026, 10:00 GMT');
    expect(history.text).not.toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d/);

    // Summer: 13:05 UTC is 14:05 in London.
    t.clock.set('2027-07-01T13:05:00.000Z');
    expect((await (await signedIn(t, 'demo.author')).get(`/manage/plans/${planId}`)).status).toBe(200);

    const log = await (await signedIn(t, 'demo.auditor')).get(`/audit?planId=${planId}`);
    expect(log.status).toBe(200);
    expect(log.text).toContain('1 Jul 2027, 14:05 BST');
    expect(log.text).toContain('23 Nov 2026, 10:00 GMT');
    expect(log.text).not.toMatch(/<td>\d{4}-\d\d-\d\d/);
    expect(log.text).not.toContain('UTC');
  });
});
