import type { Shot } from './shot.js';

/** The auditor's and administrator's pages (issue 14; agreement proposals, issue 20). */
export const shots: Shot[] = [
  { name: 'audit-log', as: 'demo.auditor', path: '/audit?action=sign-in', sizes: ['desk'] },
  { name: 'audit-flags', as: 'demo.auditor', path: '/audit/flags', sizes: ['desk'] },
  {
    name: 'audit-report',
    as: 'demo.auditor',
    sizes: ['desk', 'phone'],
    open: async (page, ctx) => {
      await page.goto(`${ctx.baseUrl}/audit/plans/${await ctx.anyPlanId()}/report`);
    },
  },
  { name: 'admin-home', as: 'demo.admin', path: '/admin', sizes: ['desk'] },
  { name: 'admin-organisations', as: 'demo.admin', path: '/admin/organisations', sizes: ['desk'] },
  { name: 'admin-organisation', as: 'demo.admin', path: '/admin/organisations/southbank-mh', sizes: ['desk'] },
  { name: 'admin-agreements', as: 'demo.admin', path: '/admin/agreements', sizes: ['desk'] },
  { name: 'admin-agreement-new', as: 'demo.admin', path: '/admin/agreements/new', sizes: ['phone'] },
  { name: 'admin-agreement-end', as: 'demo.admin', path: '/admin/agreements/DSA-DEMO-001/end', sizes: ['desk'] },
  { name: 'admin-matrix', as: 'demo.admin', path: '/admin/agreements/matrix', sizes: ['desk'] },
  // Issue 20: an agreement is a proposal until every party accepts. Shire proposes; Southbank answers.
  {
    name: 'admin-agreement-proposed',
    as: 'demo.shire-admin',
    sizes: ['desk'],
    open: async (page, ctx) => {
      await page.goto(`${ctx.baseUrl}/admin/agreements/new`);
      await page.fill('#reference', `DSA-SHIRE-${Date.now().toString(36).toUpperCase()}`);
      await page.check('input[name=parties][value="southbank-mh"]');
      for (const [id, d, m, y] of [
        ['from', '1', '1', '2026'],
        ['to', '31', '12', '2027'],
      ] as const) {
        await page.fill(`#${id}-day`, d);
        await page.fill(`#${id}-month`, m);
        await page.fill(`#${id}-year`, y);
      }
      await page.getByRole('button', { name: 'Propose agreement' }).click();
      await page.waitForURL((u) => u.pathname.startsWith('/admin/agreements/proposals/'));
    },
  },
  { name: 'admin-home-waiting', as: 'demo.admin', path: '/admin', sizes: ['desk'] },
  {
    name: 'admin-proposal-answer',
    as: 'demo.admin',
    sizes: ['desk', 'phone'],
    open: async (page, ctx) => {
      await page.goto(`${ctx.baseUrl}/admin`);
      await page
        .locator('a', { hasText: /^New agreement DSA-SHIRE-/ })
        .first()
        .click();
    },
  },
  {
    name: 'admin-proposal-decline',
    as: 'demo.admin',
    sizes: ['desk'],
    open: async (page, ctx) => {
      await page.goto(`${ctx.baseUrl}/admin`);
      await page
        .locator('a', { hasText: /^New agreement DSA-SHIRE-/ })
        .first()
        .click();
      await page.getByRole('link', { name: 'Decline this proposal' }).click();
    },
  },
];
