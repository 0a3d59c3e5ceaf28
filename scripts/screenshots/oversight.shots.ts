import type { Shot } from './shot.js';

/** The auditor's and administrator's pages (issue 14). */
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
];
