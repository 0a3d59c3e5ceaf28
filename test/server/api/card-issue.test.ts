import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { issuePrintedCard } from '../../../src/plans/cards/cards.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, tempDir, testApp, who, type TestApp } from '../../helpers.js';
import { decodePdfImage, pdfText } from '../web/helpers.js';

async function withPlan() {
  const t = await testApp();
  await publishPlans(t.db, [importRecordFrom(planBody())]);
  return { t, planId: await planIdOf(t.db, 'SB-000001') };
}

const renameOwner = (t: TestApp, name: string) => t.db.exec(sql`UPDATE organisations SET name = ${name} WHERE slug = 'southbank-mh'`);
const cards = (t: TestApp) =>
  t.db.many<{ id: number; revokedAt: string | null }>(sql`SELECT id, revoked_at AS "revokedAt" FROM plan_cards ORDER BY id`);
const issue = (t: TestApp, planId: string, body: object = {}) =>
  t.call(who.author, 'POST', `/api/v1/plans/${planId}/cards`, { body, purpose: null });
const pdfOf = (res: Awaited<ReturnType<typeof issue>>) => Buffer.from(res.json.artefacts.pdf.base64, 'base64');

describe('issuing a card', () => {
  it('prints Welsh and Polish letters in the organisation name and the chosen text, with a subset font', async () => {
    const { t, planId } = await withPlan();
    await renameOwner(t, 'Ymddiriedolaeth Iechyd Meddwl Gogledd Cŷmru');
    const res = await issue(t, planId, { text: 'Łódź Test Trust: ask for Ŵyn, Zażółć gęślą jaźń' });
    expect(res.status, res.text).toBe(201);
    const pdf = pdfOf(res);
    const text = pdfText(pdf, tempDir()).replace(/\s+/g, ' ');
    expect(text).toContain('Gogledd Cŷmru');
    expect(text).toContain('Łódź Test Trust: ask for Ŵyn, Zażółć gęślą jaźń');
    expect(await decodePdfImage(pdf)).toBe(res.json.url);
    // Subset: the two DejaVu faces are 1.4 MB whole; a card carries only the glyphs it prints.
    expect(pdf.length).toBeLessThan(120_000);
  });

  it('refuses a card its font cannot print before anything is stored: the old card keeps working', async () => {
    const { t, planId } = await withPlan();
    const first = await issue(t, planId);
    expect(first.status).toBe(201);
    await renameOwner(t, 'Southbank 漢 Trust');
    const res = await issue(t, planId);
    expect(res.status).toBe(409);
    expect(res.json.detail).toContain('U+6F22');
    expect(await cards(t)).toEqual([{ id: first.json.cardId, revokedAt: null }]);
    // Choosing text the font lacks is the caller's mistake: a 400 naming the field.
    await renameOwner(t, 'Southbank Mental Health Trust');
    const bad = await issue(t, planId, { text: 'Scan me 漢' });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('text');
    expect(await cards(t)).toEqual([{ id: first.json.cardId, revokedAt: null }]);
  });

  it('a render that fails outright stores no card and revokes none', async () => {
    const { t, planId } = await withPlan();
    const first = await issue(t, planId);
    const author = { ...who.author, orgKind: 'mental-health' as const };
    const attempt = issuePrintedCard(t.db, author, planId, {}, t.clock(), async () => {
      throw new Error('renderer crashed');
    });
    await expect(attempt).rejects.toThrow('renderer crashed');
    expect(await cards(t)).toEqual([{ id: first.json.cardId, revokedAt: null }]);
    // And the next issue replaces the first card as usual.
    const next = await issue(t, planId);
    expect(next.json.replaced).toEqual([{ cardId: first.json.cardId, revokedAt: t.clock().toISOString() }]);
  });
});
