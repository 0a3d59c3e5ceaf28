import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { agreementQueries } from '../../../plans/organisations.js';
import { authoriseWithdrawal } from '../../../plans/policy.js';
import { consolePlan } from '../../../plans/versions/console.js';
import { diffVersions } from '../../../plans/versions/diff.js';
import { planHistory } from '../../../plans/versions/history.js';
import { withWords } from '../../../plans/versions/word-diff.js';
import { withdraw } from '../../../plans/versions/workflow.js';
import { HistoryPage, WithdrawPage } from '../../../ui/pages/manage/history.js';
import type { AppServices, WebEnv } from '../../context.js';
import { page } from '../shared.js';
import { consoleGuards, consoleWho, planIdPattern, refusalPage } from './shared.js';

const reasonSchema = z
  .string()
  .trim()
  .min(3, { error: 'Say why you are withdrawing the plan (at least 3 characters)' })
  .max(2000, { error: 'The reason must be at most 2,000 characters' });
const versionNumber = z.coerce.number().int().min(1).max(100000);

/** Withdraw (approvers, with a confirmation that says what responders will see) and a plan's history with a diff of any two versions. */
export function manageWithdrawHistoryRoutes(services: AppServices) {
  const { db, clock } = services;
  const guard = consoleGuards(services);
  const orgs = agreementQueries(db);

  const confirmPage = async (c: Context<WebEnv>, reason = '', error?: string) => {
    const planId = c.req.param('planId') ?? '';
    if (!planIdPattern.test(planId)) return refusalPage(c, { ok: false, code: 'not_found', detail: 'no such plan' });
    const p = await consolePlan(db, c.var.actor!, planId);
    if (!p.ok) return refusalPage(c, p);
    if (!p.value.current)
      return refusalPage(
        c,
        { ok: false, code: 'conflict', detail: 'this plan has no published version to withdraw' },
        `/manage/plans/${planId}`,
      );
    // The confirmation offers the withdrawal only to whom policy allows it (the domain would refuse the rest).
    const may = authoriseWithdrawal(c.var.actor!, p.value.owningOrg, 'published');
    if (!may.ok) return refusalPage(c, may, `/manage/plans/${planId}`);
    c.set('access', { planId, versionId: p.value.current.id, query: { console: 'withdraw' } });
    const org = await orgs.organisation(p.value.owningOrg);
    const s = p.value.current.subject;
    return page(
      c,
      <WithdrawPage
        who={consoleWho(c)}
        planId={planId}
        name={`${s.givenNames} ${s.familyName}`}
        externalRef={p.value.externalRef}
        version={p.value.current.version}
        owner={org?.name ?? p.value.owningOrg}
        contact={org?.contact ?? null}
        reason={reason}
        errors={error ? [{ field: 'reason', anchor: 'reason', message: error }] : []}
      />,
      error ? 400 : 200,
    );
  };

  return new Hono<WebEnv>()
    .get('/manage/plans/:planId/withdraw', ...guard.read('view'), (c) => confirmPage(c))
    .post('/manage/plans/:planId/withdraw', ...guard.writeShowing('view'), async (c) => {
      const planId = c.req.param('planId');
      const form = await c.req.parseBody();
      const raw = typeof form.reason === 'string' ? form.reason : '';
      const reason = reasonSchema.safeParse(raw);
      if (!reason.success) return confirmPage(c, raw, reason.error.issues[0]!.message);
      const version = versionNumber.safeParse(form.version);
      if (!version.success)
        return refusalPage(
          c,
          { ok: false, code: 'invalid', detail: 'the form did not say which version to withdraw' },
          `/manage/plans/${planId}`,
        );
      const done = await withdraw(db, c.var.actor!, { planId, version: version.data }, reason.data, clock(), services.planEvents);
      if (!done.ok) return refusalPage(c, done, `/manage/plans/${planId}`);
      return c.redirect(`/manage/plans/${planId}?done=withdrawn`, 303);
    })
    .get('/manage/plans/:planId/history', ...guard.read('history'), async (c) => {
      const planId = c.req.param('planId');
      if (!planIdPattern.test(planId)) return refusalPage(c, { ok: false, code: 'not_found', detail: 'no such plan' });
      const h = await planHistory(db, c.var.actor!, planId);
      if (!h.ok) return refusalPage(c, h);
      const from = versionNumber.safeParse(c.req.query('from'));
      const to = versionNumber.safeParse(c.req.query('to'));
      const diff = from.success && to.success ? await diffVersions(db, c.var.actor!, planId, from.data, to.data) : undefined;
      if (diff && !diff.ok) return refusalPage(c, diff, `/manage/plans/${planId}`);
      c.set('access', { planId, query: diff ? { console: 'history', from: from.data, to: to.data } : { console: 'history' } });
      return page(
        c,
        <HistoryPage
          who={consoleWho(c)}
          planId={planId}
          externalRef={h.value.externalRef}
          versions={h.value.versions}
          events={h.value.events}
          diff={diff?.ok ? { from: diff.value.from, to: diff.value.to, changes: withWords(diff.value.changes) } : undefined}
        />,
      );
    });
}
