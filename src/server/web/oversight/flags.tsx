import { Hono, type Context } from 'hono';
import { eventsBySeq, peopleOf } from '../../../plans/access-log/console.js';
import { flagIdParam, flagReviewSchema, listFlags, reviewFlag, type ReviewedFlag } from '../../../plans/access-log/flag-reviews.js';
import type { FieldError } from '../../../ui/components/forms.js';
import { OversightRefusedPage } from '../../../ui/pages/oversight/common.js';
import { FlagPage, FlagsPage } from '../../../ui/pages/oversight/flags.js';
import type { AppServices, WebEnv } from '../../context.js';
import { page, requireSignedIn, whoOf } from '../shared.js';
import { issuesToErrors, pageWith, text } from './form-input.js';
import { auditorsOnly, oversightForms, webAuditTrail } from './guards.js';

/** `/audit/flags`: unusual access, each with its evidence, closed by an auditor with an outcome and a comment. */
const LIST_DAYS = 30;
/** A flag's own page reaches as far back as a review may (flag-reviews.ts). */
const REVIEW_DAYS = 90;

export function flagPageRoutes(services: AppServices) {
  const { db } = services;
  const since = (days: number) => new Date(services.clock().getTime() - days * 86_400_000).toISOString();
  const flagsOf = async (c: Context<WebEnv>, days: number) => {
    const r = await listFlags(db, c.var.actor!, { from: since(days) }, services.clock());
    return r.ok ? r.value : [];
  };

  async function flagPage(
    c: Context<WebEnv>,
    flag: ReviewedFlag,
    status: number,
    form: { errors: FieldError[]; outcome?: string; comment?: string },
  ) {
    const scope = c.var.actor!.org;
    const evidence = await eventsBySeq(db, scope, flag.eventSeqs.slice(-50));
    const people = await peopleOf(db, scope, [...flag.planIds, ...evidence.flatMap((e) => (e.planId ? [e.planId] : []))]);
    return pageWith(c, <FlagPage who={whoOf(c)} flag={flag} evidence={evidence} people={people} {...form} />, status);
  }

  const notFound = (c: Context<WebEnv>) =>
    page(
      c,
      <OversightRefusedPage
        who={whoOf(c)}
        title="Flag not found"
        detail={`No such flag in your organisation's scope over the last ${REVIEW_DAYS} days.`}
      />,
      404,
    );

  return new Hono<WebEnv>()
    .use('/audit/flags', requireSignedIn, webAuditTrail(services), auditorsOnly('flags'))
    .use('/audit/flags/:id', requireSignedIn, webAuditTrail(services), auditorsOnly('flag'))
    .use('/audit/flags/:id/review', oversightForms(services), requireSignedIn, webAuditTrail(services), auditorsOnly('flag'))
    .get('/audit/flags', async (c) => {
      c.set('access', { planId: null, query: { page: 'flags', days: LIST_DAYS } });
      const notice = c.req.query('closed') ? 'Flag closed. Your outcome and comment are in the access log.' : undefined;
      return page(c, <FlagsPage who={whoOf(c)} flags={await flagsOf(c, LIST_DAYS)} days={LIST_DAYS} notice={notice} />);
    })
    .get('/audit/flags/:id', async (c) => {
      const id = c.req.param('id');
      const flag = flagIdParam.safeParse({ id }).success ? (await flagsOf(c, REVIEW_DAYS)).find((f) => f.id === id) : undefined;
      c.set('access', { planId: flag?.planIds.length === 1 ? flag.planIds[0] : null, query: { page: 'flag', flagId: id.slice(0, 40) } });
      return flag ? flagPage(c, flag, 200, { errors: [] }) : notFound(c);
    })
    .post('/audit/flags/:id/review', async (c) => {
      const id = c.req.param('id');
      const flag = flagIdParam.safeParse({ id }).success ? (await flagsOf(c, REVIEW_DAYS)).find((f) => f.id === id) : undefined;
      if (!flag) {
        c.set('access', { planId: null, query: { page: 'flag', flagId: id.slice(0, 40) } });
        return notFound(c);
      }
      const body = await c.req.parseBody();
      const form = { outcome: text(body.outcome) || undefined, comment: text(body.comment).slice(0, 600) };
      const parsed = flagReviewSchema.safeParse(form);
      if (!parsed.success) {
        // The page shown again carries the evidence: that is a read of the log like any other.
        c.set('access', { planId: null, query: { page: 'flag', flagId: id } });
        const errors = issuesToErrors(
          parsed.error.issues,
          (p) => (p === 'outcome' ? 'outcome-appropriate' : 'comment'),
          (f) => (f === 'comment' ? 'Comment' : 'Outcome'),
        );
        const worded = errors.map((e) => (e.field === 'outcome-appropriate' ? { ...e, message: 'Choose what you found' } : e));
        return flagPage(c, flag, 400, { errors: worded, ...form });
      }
      const r = await reviewFlag({ db, log: services.accessLog, clock: services.clock }, c.var.actor!, id, parsed.data, 'web');
      if (!r.ok) {
        c.set('access', { planId: null, query: { page: 'flag', flagId: id } });
        const status = r.code === 'conflict' ? 409 : r.code === 'unavailable' ? 503 : 400;
        return flagPage(c, flag, status, { errors: [{ field: 'comment', message: r.detail }], ...form });
      }
      return c.redirect(`/audit/flags?closed=${id}`, 303);
    });
}
