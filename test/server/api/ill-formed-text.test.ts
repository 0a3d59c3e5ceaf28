import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { findVersion } from '../../../src/plans/versions/store.js';
import { countRows, importRecordFrom, planBody, planIdOf, publishPlans, testApp, who, type TestApp } from '../../helpers.js';
import { wellFormed } from '../../../src/plans/core/text.js';

/** A lone high and a lone low UTF-16 surrogate: JSON escapes carry them, and neither is a character. */
const lone = { high: '\ud800', low: '\udc00' };

type Res = Awaited<ReturnType<TestApp['call']>>;
function expectRefused(res: Res, path: string, what: string) {
  expect([what, res.status]).toEqual([what, 400]);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.json.errors, what).toEqual([{ path, message: expect.stringContaining('well-formed Unicode') }]);
  // The refusal itself is well-formed: it names the field without echoing the surrogate.
  expect(wellFormed(res.text)).toBe(true);
}

describe('ill-formed Unicode (a lone surrogate) is refused where text enters', () => {
  it('on the API: creating a plan, in any field, is a 400 naming the field, and nothing is stored', async () => {
    const t = await testApp();
    for (const [kind, s] of Object.entries(lone)) {
      const base = planBody();
      const cases: [string, unknown][] = [
        ['subject.givenNames', planBody({ givenNames: `Ann${s}` })],
        ['subject.familyName', planBody({ familyName: `${s}Nowak` })],
        ['subject.aliases.0', { ...base, subject: { ...base.subject, aliases: [`Bl${s}ue`] } }],
        ['plan.summary', planBody({ summary: `Calm voice ${s} please.` })],
        ['plan.whatHelps.0', { ...base, plan: { ...base.plan, whatHelps: [`Tea${s}`] } }],
        ['locations.0.label', { ...base, locations: [{ ...base.locations[0]!, label: `Bridge${s}` }] }],
        ['changeSummary', { ...base, changeSummary: `first${s}` }],
        // Even where the schema would refuse the field anyway: the surrogate is what is named.
        ['externalRef', planBody({ externalRef: `SB-1${s}` })],
        [`plan.unknown${'\ufffd'}`, { ...base, plan: { ...base.plan, [`unknown${s}`]: 'x' } }],
      ];
      for (const [path, body] of cases) {
        expectRefused(await t.call(who.author, 'POST', '/api/v1/plans', { body, purpose: null }), path, `${kind} ${path}`);
      }
    }
    expect(await countRows(t.db, 'plans')).toBe(0);
    // The same names, well-formed (an emoji is a surrogate pair), are accepted.
    expect((await t.call(who.author, 'POST', '/api/v1/plans', { body: planBody({ givenNames: 'Ann 🌊' }), purpose: null })).status).toBe(
      201,
    );
  });

  it('on the API: editing a draft is a 400 naming the field; the draft is unchanged', async () => {
    const t = await testApp();
    const created = await t.call(who.author, 'POST', '/api/v1/plans', { body: planBody(), purpose: null });
    expect(created.status).toBe(201);
    const planId = created.json.planId as string;
    const { externalRef: _r, ...draft } = planBody();
    for (const s of Object.values(lone)) {
      const res = await t.call(who.author, 'PUT', `/api/v1/plans/${planId}/versions/1`, {
        body: { ...draft, plan: { ...draft.plan, capacity: `Has ${s}capacity` } },
        purpose: null,
      });
      expectRefused(res, 'plan.capacity', 'edit');
    }
    const stored = (await findVersion(t.db, planId, 1))!;
    expect(stored.content.capacity).toBe(planBody().plan.capacity);
  });

  it('on the register: organisation, agreement and reason fields are a 400 naming the field', async () => {
    const t = await testApp();
    for (const s of Object.values(lone)) {
      expectRefused(
        await t.call(who.admin, 'POST', '/api/v1/admin/organisations', {
          body: { slug: 'valley-ambulance', name: `Valley${s}`, kind: 'ambulance' },
        }),
        'name',
        'new org name',
      );
      expectRefused(
        await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', { body: { name: `South${s}bank` } }),
        'name',
        'org name',
      );
      expectRefused(
        await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', { body: { contact: `desk${s}@example.org` } }),
        'contact',
        'org contact',
      );
      expectRefused(
        await t.call(who.admin, 'PATCH', '/api/v1/admin/organisations/southbank-mh', {
          body: { name: 'Southbank', reason: `renamed${s}` },
        }),
        'reason',
        'change reason',
      );
      expectRefused(
        await t.call(who.admin, 'POST', '/api/v1/admin/agreements', {
          body: { reference: `DSA-${s}`, parties: ['southbank-mh', 'shire-police'], validFrom: '2026-11-01', validTo: '2027-11-01' },
        }),
        'reference',
        'agreement reference',
      );
      expectRefused(
        await t.call(who.admin, 'POST', '/api/v1/admin/organisations/southbank-mh/disable', { body: { reason: `merged${s} away` } }),
        'reason',
        'disable reason',
      );
    }
    expect(await t.db.one(sql`SELECT name, contact, disabled_at AS d FROM organisations WHERE slug = 'southbank-mh'`)).toMatchObject({
      name: 'Southbank Mental Health Trust',
      d: null,
    });
    expect(await countRows(t.db, 'organisations', sql`slug = 'valley-ambulance'`)).toBe(0);
  });

  it("in the address: a %-escape that is not UTF-8 (a surrogate's bytes) is a 400 naming the parameter, for the API and pages", async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    for (const escaped of ['%ED%A0%80', '%ED%B0%80', 'Ann%ED%A0%80']) {
      const before = (await t.events()).length;
      const api = await t.call(who.officer, 'GET', `/api/v1/search?q=${escaped}`);
      expect(api.status).toBe(400);
      expect(api.headers.get('content-type')).toContain('application/problem+json');
      expect(api.json.errors).toEqual([{ path: 'q', message: expect.stringContaining('not UTF-8') }]);
      // Refused after sign-in, like any other invalid search: the access log still has the attempt.
      expect((await t.events()).length).toBe(before + 1);
      const fhir = await t.call(who.nurse, 'GET', `/fhir/R4/CarePlan?identifier=${escaped}`);
      expect(fhir.status).toBe(400);
      expect(fhir.text).toContain('not UTF-8');
      const page = await t.app.request(`/?q=${escaped}`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(400);
      expect(page.headers.get('content-type')).toContain('text/html');
      // Before, the search ran for the escapes as typed text and answered 200.
      expect(await page.text()).not.toContain('ED%A0');
    }
    // In a path parameter too.
    expect((await t.call(who.officer, 'GET', `/api/v1/plans/%ED%A0%80AAAAAAAAAAAAAA`)).status).toBe(400);
    // Well-formed escapes still work.
    expect((await t.call(who.officer, 'GET', `/api/v1/search?q=${encodeURIComponent("Siân O'Sullivan")}`)).status).toBe(200);
  });

  it("in the purpose header: a surrogate's bytes are refused as a purpose", async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    // What a client sending "INC-1 Ann\ud800" as UTF-8 (CESU style) puts on the wire, one character per byte.
    for (const bytes of [
      [0xed, 0xa0, 0x80],
      [0xed, 0xb0, 0x80],
    ]) {
      const wire = `INC-2026-0042 Ann${Buffer.from(bytes).toString('latin1')} welfare`;
      const res = await t.call(who.officer, 'GET', `/api/v1/plans/${planId}`, { purpose: wire });
      expect(res.status).toBe(400);
      expect(res.json.detail).toContain('X-Access-Purpose');
    }
  });
});
