import { Hono, type Context } from 'hono';
import { addAgreement, agreementStates, endAgreement, extendAgreement, getAgreement, listAgreements, listOrganisationsView, reasonSchema, sharingMatrix } from '../../../plans/governance/governance.js';
import { newDsaSchema } from '../../../plans/organisations.js';
import { emptyDate, type DateValue, type FieldError } from '../../../ui/components/forms.js';
import { ConfirmPage } from '../../../ui/pages/oversight/admin.js';
import { AgreementPage, AgreementsPage, MatrixPage, type NewAgreementForm, NewAgreementPage } from '../../../ui/pages/oversight/agreements.js';
import { OversightRefusedPage } from '../../../ui/pages/oversight/common.js';
import type { AppServices, WebEnv } from '../../context.js';
import { page, requireSignedIn, whoOf } from '../shared.js';
import { dateValue, failureStatus, isoFromDate, issuesToErrors, pageWith, text, today } from './form-input.js';
import { adminsOnly, operatorOf, oversightForms } from './guards.js';

/** `/admin/agreements`: list, add, extend, end early (reads relying on it stop at once), and the matrix. */
const notices: Record<string, string> = {
  added: 'Agreement added.',
  ended: 'Agreement ended. Reads that relied on it are refused from now on.',
  extended: 'Agreement extended.',
};

export function agreementPageRoutes(services: AppServices) {
  const { db } = services;
  const deps = { db, log: services.accessLog, clock: services.clock };
  const guard = [requireSignedIn, adminsOnly] as const;
  const forms = oversightForms(services);
  const names = () => new Map(listOrganisationsView(db).map((o) => [o.slug, o.name]));
  const notFound = (c: Context<WebEnv>) => page(c, <OversightRefusedPage who={whoOf(c)} title="Not found" detail="There is no such agreement." />, 404);
  const refOf = (c: Context) => c.req.param('ref')!.slice(0, 100);

  function agreementPage(c: Context<WebEnv>, ref: string, status: number, over: { to?: DateValue; reason?: string; errors?: FieldError[] } = {}) {
    const agreement = getAgreement(db, ref, today(services));
    if (!agreement) return notFound(c);
    return pageWith(
      c,
      <AgreementPage who={whoOf(c)} agreement={agreement} names={names()} to={over.to ?? emptyDate} reason={over.reason ?? ''} errors={over.errors ?? []} notice={notices[c.req.query('done') ?? '']} />,
      status,
    );
  }

  function endPage(c: Context<WebEnv>, ref: string, reason: string, errors: FieldError[], status: number) {
    const a = getAgreement(db, ref, today(services));
    if (!a) return notFound(c);
    const parties = a.parties.map((p) => names().get(p) ?? p).join(', ');
    return pageWith(
      c,
      <ConfirmPage
        who={whoOf(c)}
        title={`End agreement ${a.reference} now`}
        consequence={`From the moment you confirm, responders of ${parties} can no longer open each other's plans under this agreement. Their auditors will see this change and your reason.`}
        action={`/admin/agreements/${encodeURIComponent(a.reference)}/end`}
        button="End agreement now"
        reason={reason}
        errors={errors}
        back={`/admin/agreements/${encodeURIComponent(a.reference)}`}
      />,
      status,
    );
  }

  return new Hono<WebEnv>()
    .get('/admin/agreements', ...guard, (c) => {
      const state = (agreementStates as readonly string[]).includes(c.req.query('state') ?? '') ? (c.req.query('state') as (typeof agreementStates)[number]) : undefined;
      return page(c, <AgreementsPage who={whoOf(c)} agreements={listAgreements(db, today(services), state)} names={names()} state={state} notice={notices[c.req.query('done') ?? '']} />);
    })
    .get('/admin/agreements/matrix', ...guard, (c) => page(c, <MatrixPage who={whoOf(c)} matrix={sharingMatrix(db, today(services))} />))
    .get('/admin/agreements/new', ...guard, (c) =>
      page(c, <NewAgreementPage who={whoOf(c)} form={{ reference: '', parties: [c.var.actor!.org], from: emptyDate, to: emptyDate }} organisations={listOrganisationsView(db)} errors={[]} />),
    )
    .post('/admin/agreements', forms, ...guard, async (c) => {
      const body = await c.req.parseBody({ all: true });
      const get = (n: string) => text(body[n]).slice(0, 100);
      const parties = ([] as unknown[]).concat(body.parties ?? []).map(text).filter(Boolean).slice(0, 50);
      const form: NewAgreementForm = { reference: get('reference'), parties, from: dateValue(get, 'from'), to: dateValue(get, 'to') };
      const from = isoFromDate(form.from, 'from', 'Starts on');
      const to = isoFromDate(form.to, 'to', 'Ends on');
      const errors: FieldError[] = [from.error, to.error].filter((e): e is FieldError => !!e);
      if (!from.day && !from.error) errors.push({ field: 'from-day', message: 'Starts on: enter the date the agreement starts' });
      if (!to.day && !to.error) errors.push({ field: 'to-day', message: 'Ends on: enter the date the agreement ends' });
      const parsed = newDsaSchema.safeParse({ reference: form.reference, parties, validFrom: from.day, validTo: to.day });
      const fieldOf = (p: string) => ({ reference: 'reference', parties: 'party', validFrom: 'from-day', validTo: 'to-day' })[p] ?? 'reference';
      const labelOf = (f: string) => ({ reference: 'Agreement reference', party: 'Parties', 'from-day': 'Starts on', 'to-day': 'Ends on' })[f] ?? f;
      if (!parsed.success) for (const e of issuesToErrors(parsed.error.issues, fieldOf, labelOf)) if (!errors.some((x) => x.field === e.field)) errors.push(e);
      const again = (errs: FieldError[], status: number) => pageWith(c, <NewAgreementPage who={whoOf(c)} form={form} organisations={listOrganisationsView(db)} errors={errs} />, status);
      if (errors.length || !parsed.success) return again(errors, 400);
      const r = await addAgreement(deps, operatorOf(c), parsed.data);
      if (!r.ok) return again([{ field: r.code === 'conflict' ? 'reference' : 'party', message: r.detail }], failureStatus(r.code));
      return c.redirect(`/admin/agreements/${encodeURIComponent(r.value.reference)}?done=added`, 303);
    })
    .get('/admin/agreements/:ref', ...guard, (c) => agreementPage(c, refOf(c), 200))
    .post('/admin/agreements/:ref/extend', forms, ...guard, async (c) => {
      const ref = refOf(c);
      const body = await c.req.parseBody();
      const get = (n: string) => text(body[n]).slice(0, 600);
      const toValue = dateValue(get, 'to');
      const reason = get('reason');
      const to = isoFromDate(toValue, 'to', 'New end date');
      const errors: FieldError[] = to.error ? [to.error] : to.day ? [] : [{ field: 'to-day', message: 'New end date: enter the date' }];
      const why = reasonSchema.safeParse({ reason });
      if (!why.success) errors.push(...issuesToErrors(why.error.issues, () => 'reason', () => 'Why'));
      if (errors.length || !why.success || !to.day) return agreementPage(c, ref, 400, { to: toValue, reason, errors });
      const r = await extendAgreement(deps, operatorOf(c), ref, { to: to.day, reason: why.data.reason });
      if (!r.ok) return agreementPage(c, ref, failureStatus(r.code), { to: toValue, reason, errors: [{ field: r.code === 'invalid' ? 'to-day' : 'reason', message: r.detail }] });
      return c.redirect(`/admin/agreements/${encodeURIComponent(ref)}?done=extended`, 303);
    })
    .get('/admin/agreements/:ref/end', ...guard, (c) => endPage(c, refOf(c), '', [], 200))
    .post('/admin/agreements/:ref/end', forms, ...guard, async (c) => {
      const ref = refOf(c);
      const reason = text((await c.req.parseBody()).reason).slice(0, 600);
      const why = reasonSchema.safeParse({ reason });
      if (!why.success) return endPage(c, ref, reason, issuesToErrors(why.error.issues, () => 'reason', () => 'Why'), 400);
      const r = await endAgreement(deps, operatorOf(c), ref, why.data);
      if (!r.ok) return endPage(c, ref, reason, [{ field: 'reason', message: r.detail }], failureStatus(r.code));
      return c.redirect(`/admin/agreements/${encodeURIComponent(ref)}?done=ended`, 303);
    });
}
