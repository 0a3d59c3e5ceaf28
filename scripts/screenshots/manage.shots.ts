import type { Page } from 'playwright-core';
import type { Shot, ShotContext } from './shot.js';

const purpose = 'Care plan review with the person';

/** An open draft of the demo plan (started on first use; later shots find it open). */
async function draft(page: Page, ctx: ShotContext): Promise<string> {
  const id = await ctx.anyPlanId();
  await page.goto(`${ctx.baseUrl}/manage/plans/${id}`);
  const start = page.getByRole('button', { name: /Start a new draft/ });
  if (await start.count()) await start.click();
  return id;
}

/** The authoring console (issue 13): author and approver pages, desk size, light and dark. */
export const shots: Shot[] = [
  { name: 'manage-home', as: 'demo.author', purpose, path: '/manage' },
  {
    name: 'manage-new-errors',
    as: 'demo.author',
    purpose,
    open: async (page, ctx) => {
      await page.goto(`${ctx.baseUrl}/manage/plans/new`);
      await page.getByRole('button', { name: 'Save and continue' }).click();
    },
  },
  {
    name: 'manage-behaviours',
    as: 'demo.author',
    purpose,
    open: async (page, ctx) => {
      const id = await draft(page, ctx);
      await page.goto(`${ctx.baseUrl}/manage/plans/${id}/edit?section=behaviours`);
      await page.getByRole('button', { name: /Add (a|another) behaviour/ }).click();
    },
  },
  {
    name: 'manage-summary-warning',
    as: 'demo.author',
    purpose,
    open: async (page, ctx) => {
      const id = await draft(page, ctx);
      await page.goto(`${ctx.baseUrl}/manage/plans/${id}/edit?section=summary`);
      const long = 'Speak calmly and by name. '.repeat(16).trim();
      await page.getByLabel('Summary', { exact: true }).fill(long);
      await page.getByRole('button', { name: 'Save this section' }).click();
    },
  },
  {
    name: 'manage-plan',
    as: 'demo.author',
    purpose,
    open: async (page, ctx) => {
      const id = await draft(page, ctx);
      await page.goto(`${ctx.baseUrl}/manage/plans/${id}/edit?section=summary`);
      await page.getByLabel('Summary', { exact: true }).fill('Speak to them by name, slowly. One responder. Offer the crisis café.');
      await page.getByRole('button', { name: 'Save this section' }).click();
      await page.goto(`${ctx.baseUrl}/manage/plans/${id}`);
    },
  },
  {
    // The author's preview before sending for review (issue 21): the draft as the police will see it.
    name: 'manage-preview-police',
    as: 'demo.author',
    purpose,
    open: async (page, ctx) => {
      const id = await draft(page, ctx);
      await page.goto(`${ctx.baseUrl}/manage/plans/${id}/preview?as=police`);
    },
  },
  {
    name: 'manage-places',
    as: 'demo.author',
    purpose,
    open: async (page, ctx) => {
      const id = await draft(page, ctx);
      await page.goto(`${ctx.baseUrl}/manage/plans/${id}/edit?section=places`);
      if (!(await page.locator('[name="locations.0.label"]').count()))
        await page.getByRole('button', { name: /Add (a|another) place$/ }).click();
      await page.locator('[name="locations.0.label"]').fill('se1 7pb');
      await page.locator('[name="locations.0.lat"]').fill('');
      await page.locator('[name="locations.0.lng"]').fill('');
      await page.getByRole('button', { name: 'Save this section' }).click();
      await page.locator('h2', { hasText: 'Where responders will look for them' }).scrollIntoViewIfNeeded();
    },
  },
  {
    name: 'manage-submitted',
    as: 'demo.author',
    purpose,
    open: async (page, ctx) => {
      const id = await ctx.anyPlanId();
      await page.goto(`${ctx.baseUrl}/manage/plans/${id}`);
      const send = page.getByRole('button', { name: 'Send for review' });
      if (await send.count()) await send.click();
    },
  },
  { name: 'manage-reviews', as: 'demo.approver', purpose, path: '/manage/reviews' },
  {
    name: 'manage-review',
    as: 'demo.approver',
    purpose,
    open: async (page, ctx) => {
      await page.goto(`${ctx.baseUrl}/manage/reviews`);
      await page.locator('table a').first().click();
      await page.locator('h2', { hasText: 'What changed' }).scrollIntoViewIfNeeded();
    },
  },
  {
    // The whole proposed plan as an ambulance crew will read it, above the diff (issue 21).
    name: 'manage-review-as-responders',
    as: 'demo.approver',
    purpose,
    open: async (page, ctx) => {
      await page.goto(`${ctx.baseUrl}/manage/reviews`);
      await page.locator('table a').first().click();
      await page.getByRole('link', { name: 'As ambulance crews see it' }).click();
      await page.locator('#as-responders').scrollIntoViewIfNeeded();
    },
  },
  {
    name: 'manage-history',
    as: 'demo.author',
    purpose,
    open: async (page, ctx) => {
      await page.goto(`${ctx.baseUrl}/manage/plans/${await ctx.anyPlanId()}/history?from=1&to=2`);
    },
  },
  {
    name: 'manage-withdraw',
    as: 'demo.approver',
    purpose,
    open: async (page, ctx) => {
      await page.goto(`${ctx.baseUrl}/manage/plans/${await ctx.anyPlanId()}/withdraw`);
    },
  },
  {
    name: 'manage-cards',
    as: 'demo.author',
    purpose,
    open: async (page, ctx) => void (await page.goto(`${ctx.baseUrl}/manage/plans/${await ctx.anyPlanId()}/cards`)),
  },
  {
    name: 'manage-card-issued',
    as: 'demo.author',
    purpose,
    open: async (page, ctx) => {
      await page.goto(`${ctx.baseUrl}/manage/plans/${await ctx.anyPlanId()}/cards`);
      await page.getByRole('button', { name: 'Issue the card' }).click();
    },
  },
  {
    name: 'manage-card-revoke',
    as: 'demo.author',
    purpose,
    open: async (page, ctx) => void (await page.goto(`${ctx.baseUrl}/manage/plans/${await ctx.anyPlanId()}/cards/revoke`)),
  },
  {
    name: 'manage-person-copy',
    as: 'demo.author',
    purpose,
    open: async (page, ctx) => {
      await page.goto(`${ctx.baseUrl}/manage/plans/${await ctx.anyPlanId()}`);
      await page.getByRole('button', { name: /Print the person's copy/ }).click();
      await page.locator('#person-copy').scrollIntoViewIfNeeded();
    },
  },
];
