import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { databaseFile } from '../../../db/index.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, testApp, who, type TestApp } from '../../helpers.js';
import { browser, signedIn } from '../web/helpers.js';

/** What `org` changes from another process look like: a second connection to the same file. */
/**
 * Another process (the CLI) gives the organisation its own provider. The service sees another
 * connection's commit from the next turn of its event loop (read-cache.ts), so the change is awaited past one.
 */
async function giveIssuer(t: TestApp, slug: string) {
  const other = new Database(databaseFile(t.dir));
  try {
    other
      .prepare('UPDATE organisations SET issuer = ?, jwks = ? WHERE slug = ?')
      .run(`https://idp.${slug}.example`, `https://idp.${slug}.example/jwks`, slug);
  } finally {
    other.close();
  }
  await new Promise((r) => setImmediate(r));
}

describe('the development issuer once an organisation has its own identity provider', () => {
  it('stops accepting its tokens for that organisation at once, including tokens it had already accepted', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const officer = await t.tokenFor(who.officer);
    const read = (token: string) =>
      t.app.request(`/api/v1/plans/${planId}`, {
        headers: { authorization: `Bearer ${token}`, 'x-access-purpose': 'INC-2026-0001 welfare check' },
      });
    expect((await read(officer)).status).toBe(200);

    await giveIssuer(t, 'capital-police');
    const refused = await read(officer);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { detail: string }).detail).toContain('its own identity provider');
    expect((await read(await t.tokenFor(who.officer))).status).toBe(401);
    // Other organisations keep the development issuer.
    expect((await read(await t.tokenFor(who.paramedic))).status).toBe(200);
  });

  it('takes its demo identities off the sign-in page and ends their browser sessions', async () => {
    const t = await testApp();
    const officer = await signedIn(t, 'demo.officer', 'INC-2026-0042 scanned card');
    expect((await officer.get('/code')).status).toBe(200);
    expect((await browser(t).get('/sign-in')).text).toContain('demo.officer');

    await giveIssuer(t, 'capital-police');
    const page = await browser(t).get('/sign-in');
    expect(page.text).not.toContain('demo.officer');
    expect(page.text).toContain('demo.paramedic');
    const again = browser(t);
    expect((await again.post('/sign-in', { user: 'demo.officer', return: '/' })).status).toBe(400);
    expect(again.jar.size).toBe(0);
    expect((await officer.get('/code')).location).toBe('/sign-in?return=%2Fcode');
  });
});
