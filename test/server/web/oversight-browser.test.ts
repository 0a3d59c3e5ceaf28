import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_DSA } from '../../../src/plans/demo/demo.js';
import { addOrganisation } from '../../../src/plans/organisations.js';
import { expectAccessible, newPage } from '../../browser/chromium.js';
import { importRecordFrom, planBody, planIdOf, publishPlans, tempDir } from '../../helpers.js';
import { signInInBrowser } from '../auth/oidc-helpers.js';
import { setUp } from '../auth/oidc-app.js';

/**
 * Issue 14 end to end in Chromium, everyone signing in through the OpenID provider: an auditor finds a
 * responder's view by its purpose, closes an emergency-access flag, prints the person's report (PDF
 * rendered by poppler); an administrator ends the agreement and the responder is refused on the next read.
 */
describe('auditor and administrator pages in a real browser', () => {
  it('audit, review, report, end an agreement; every page passes axe in light and dark', { timeout: 120_000 }, async () => {
    const { t, appUrl } = await setUp({ southbank: true });
    await addOrganisation(t.db, { slug: 'valley-ambulance', name: 'Valley Ambulance (no agreement)', kind: 'ambulance' }, t.clock());
    await publishPlans(t.db, [
      importRecordFrom(planBody({ externalRef: 'SB-000001', givenNames: 'Siân', familyName: 'Llewelyn-Wiśniewska' })),
    ]);
    const planId = await planIdOf(t.db, 'SB-000001');
    await t.accessLog.record({
      actor: { sub: 'medic.valley', org: 'valley-ambulance', roles: ['responder'] },
      action: 'view',
      channel: 'api',
      purpose: 'CAD-1234',
      planId,
      versionId: null,
      outcome: 'emergency',
      reason: 'collapsed in street',
    });

    // A responder opens the plan with a purpose.
    const officer = await newPage();
    await signInInBrowser(officer, appUrl, 'capital-police', 'pc.oidc', `/plans/${planId}`);
    await officer.fill('#purpose', 'INC-2026-5150 concern for welfare');
    await officer.click('form[action="/purpose"] button');
    await officer.waitForURL((u) => u.pathname === `/plans/${planId}`);
    expect(await officer.textContent('h1')).toContain('Siân');

    // The auditor finds that view by its purpose text.
    const auditor = await newPage();
    await signInInBrowser(auditor, appUrl, 'southbank-mh', 'sb.auditor', '/audit');
    await auditor.waitForURL((u) => u.pathname === '/audit');
    await expectAccessible(auditor, '/audit (form)');
    await auditor.fill('#purpose', '5150');
    await auditor.click('form[action="/audit"] button');
    await auditor.waitForURL((u) => u.searchParams.get('purpose') === '5150');
    const row = auditor.locator('tbody tr', { hasText: 'INC-2026-5150' });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('pc.oidc');
    expect(await row.textContent()).toContain('Siân Llewelyn-Wiśniewska (SB-000001)');
    await expectAccessible(auditor, '/audit (results)');

    // Reviews and closes the emergency-access flag.
    await auditor.click('nav a[href="/audit/flags"]');
    await expectAccessible(auditor, '/audit/flags');
    await auditor.locator('tbody tr', { hasText: 'Emergency access' }).locator('a').first().click();
    expect(await auditor.textContent('main')).toContain('collapsed in street');
    await auditor.click('form button[type=submit]:has-text("Close flag")');
    expect(await auditor.textContent('.error-summary')).toContain('Choose what you found');
    await expectAccessible(auditor, '/audit/flags/:id (errors)');
    await auditor.check('#outcome-appropriate');
    await auditor.fill('#comment', 'Collapse confirmed by the CAD log; access justified.');
    await auditor.click('form button[type=submit]:has-text("Close flag")');
    await auditor.waitForURL((u) => u.pathname === '/audit/flags');
    expect(await auditor.textContent('main')).toContain('Collapse confirmed by the CAD log');

    // Prints the person's report as a PDF, checked as rendered.
    await auditor.goto(`${appUrl}/audit/plans/${planId}/report`);
    await expectAccessible(auditor, 'report');
    const download = auditor.waitForEvent('download');
    await auditor.click('a[href*="report.pdf"]');
    const dir = tempDir();
    const file = path.join(dir, 'report.pdf');
    await (await download).saveAs(file);
    execFileSync('pdftoppm', ['-png', '-r', '80', '-singlefile', file, path.join(dir, 'report')]);
    expect(fs.statSync(path.join(dir, 'report.png')).size).toBeGreaterThan(5000);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('Who looked at your response plan');
    expect(text).toContain('Reason given: "INC-2026-5150 concern for welfare"');
    expect(text).toContain('EMERGENCY ACCESS');
    expect(text).toContain('Plan reference SB-000001');

    // The administrator ends the agreement early.
    const admin = await newPage();
    await signInInBrowser(admin, appUrl, 'southbank-mh', 'sb.admin', '/admin');
    await admin.waitForURL((u) => u.pathname === '/admin');
    await expectAccessible(admin, '/admin');
    for (const p of [
      '/admin/organisations',
      '/admin/organisations/southbank-mh',
      '/admin/agreements',
      '/admin/agreements/new',
      '/admin/agreements/matrix',
    ]) {
      await admin.goto(`${appUrl}${p}`);
      await expectAccessible(admin, p);
    }
    await admin.goto(`${appUrl}/admin/agreements/${DEMO_DSA}/end`);
    await expectAccessible(admin, 'end agreement');
    await admin.fill('#reason', 'Capital Police left the pilot');
    await admin.click('button.danger');
    await admin.waitForURL((u) => u.pathname === `/admin/agreements/${DEMO_DSA}`);
    expect(await admin.textContent('.banner')).toContain('Agreement ended');

    // The responder's next read is refused; the auditor sees the change.
    const next = await officer.goto(`${appUrl}/plans/${planId}`);
    expect(next!.status()).toBe(403);
    await auditor.goto(`${appUrl}/audit?action=governance`);
    expect(await auditor.textContent('tbody')).toContain(`agreement.end ${DEMO_DSA}`);
    expect(await auditor.textContent('tbody')).toContain('Capital Police left the pilot');
  });
});
