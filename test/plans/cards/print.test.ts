import { describe, expect, it } from 'vitest';
import { issueCardForPrint, isLoopbackUrl } from '../../../src/plans/cards/print.js';
import { countRows, importRecordFrom, planBody, planIdOf, publishPlans, testApp, who } from '../../helpers.js';

/** A card is handed to the person and opened on responders' phones: it must never point at this machine. */
describe('the address a printed card points at', () => {
  it('knows a loopback address when it sees one', () => {
    for (const url of [
      'http://127.0.0.1:8181',
      'http://localhost:8080',
      'http://[::1]:8080',
      'http://0.0.0.0',
      'http://127.9.9.9',
      'http://app.localhost',
    ]) {
      expect(isLoopbackUrl(url), url).toBe(true);
    }
    for (const url of ['https://plans.example.nhs.uk', 'http://10.0.0.5:8080', 'https://127.example.org'])
      expect(isLoopbackUrl(url), url).toBe(false);
  });

  it('refuses a loopback base outside development, saying how to set it; prints one in development or at a public address', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const author = { ...who.author, orgKind: 'mental-health' as const };
    const refused = await issueCardForPrint(t.db, author, planId, {}, t.clock(), 'http://127.0.0.1:8181');
    expect(refused).toMatchObject({ ok: false, code: 'conflict', extra: { reason: 'loopback-base-url' } });
    expect(!refused.ok && refused.detail).toContain('PUBLIC_BASE_URL');
    // Nothing was issued by the refusal: the first card printed is still card number 1 of the plan.
    expect(await countRows(t.db, 'plan_cards')).toBe(0);
    const dev = await issueCardForPrint(t.db, author, planId, { development: true }, t.clock(), 'http://127.0.0.1:8181');
    expect(dev.ok).toBe(true);
    const real = await issueCardForPrint(t.db, author, planId, {}, t.clock(), 'https://plans.example.nhs.uk');
    expect(real.ok && real.value.url).toMatch(/^https:\/\/plans\.example\.nhs\.uk\/q\//);
  });
});
