import type { Shot } from './shot.js';

const purpose = 'INC-2026-0042 concern for welfare';

/** The responder's pages: sign-in, purpose, search and results, the plan, the card code, refusals. */
export const shots: Shot[] = [
  { name: 'sign-in', as: null, path: '/sign-in', sizes: ['desk', 'phone'] },
  { name: 'purpose', as: 'demo.officer', path: '/purpose?return=/', sizes: ['car'] },
  { name: 'search', as: 'demo.officer', purpose, path: '/', sizes: ['car', 'phone'] },
  { name: 'search-results', as: 'demo.officer', purpose, path: '/?q=smith', sizes: ['car', 'phone'] },
  {
    name: 'plan',
    as: 'demo.paramedic',
    purpose,
    sizes: ['phone', 'car'],
    open: async (page, ctx) => {
      await page.goto(`${ctx.baseUrl}/plans/${await ctx.anyPlanId()}`);
    },
  },
  { name: 'card-code', as: 'demo.paramedic', purpose, path: '/code', sizes: ['phone'] },
  { name: 'not-allowed', as: 'demo.outsider', purpose, path: '/?q=smith', sizes: ['car'] },
  { name: 'search-bad-date', as: 'demo.officer', purpose, path: '/?q=smith&dob=31%2F02%2F1989', sizes: ['car'] },
  { name: 'page-not-found', as: 'demo.officer', path: '/no/such/page', sizes: ['phone'] },
];
