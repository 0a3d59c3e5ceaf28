import { Hono, type Context } from 'hono';
import {
  acceptProposal,
  changeProposalSchema,
  declineProposal,
  endAgreement,
  getProposalView,
  listProposals,
  proposalActions,
  proposeAgreement,
  proposeChange,
} from '../../../plans/governance/agreements.js';
import { acceptancesOfTerms, pendingProposalFor } from '../../../plans/governance/agreement-store.js';
import {
  agreementStates,
  getAgreement,
  listAgreements,
  listOrganisationsView,
  reasonSchema,
  sharingMatrix,
} from '../../../plans/governance/governance.js';
import { newDsaSchema } from '../../../plans/organisations.js';
import { emptyDate, type FieldError } from '../../../ui/components/forms.js';
import { ConfirmPage } from '../../../ui/pages/oversight/admin.js';
import {
  AgreementPage,
  AgreementsPage,
  MatrixPage,
  type ChangeForm,
  type NewAgreementForm,
  NewAgreementPage,
  ProposalPage,
} from '../../../ui/pages/oversight/agreements.js';
import { OversightRefusedPage } from '../../../ui/pages/oversight/common.js';
import { authoriseAgreementChange } from '../../../plans/policy.js';
import type { AppServices, WebEnv } from '../../context.js';
import { page, requireSignedIn, whoOf } from '../shared.js';
import { dateValue, failureStatus, isoFromDate, issuesToErrors, pageWith, text, today } from './form-input.js';
import { adminsOnly, operatorOf, oversightForms } from './guards.js';

/**
 * `/admin/agreements`: list, propose (a new agreement or a change), each party accepts or declines on the
 * proposal's page, end early (any one party; reads relying on it stop at once), and the matrix.
 */
const notices: Record<string, string> = {
  proposed: 'Proposal recorded with your acceptance. It comes into force when every other party has accepted it.',
  accepted: 'Your acceptance is recorded.',
  'in-force': 'Your acceptance is recorded. Every party has now accepted: the agreement is in force.',
  declined: 'Proposal declined. Nothing changes.',
  ended: 'Agreement ended. Reads that relied on it are refused from now on.',
};
const emptyChange: ChangeForm = { from: emptyDate, to: emptyDate, add: [], reason: '' };

/** The "Why" of a decline or an end, as typed (kept for the page) and read, or the errors to show. */
async function reasonIn(c: Context<WebEnv>) {
  const reason = text((await c.req.parseBody()).reason).slice(0, 600);
  const why = reasonSchema.safeParse({ reason });
  const errors = why.success
    ? []
    : issuesToErrors(
        why.error.issues,
        () => 'reason',
        () => 'Why',
      );
  return { reason, why: why.success ? why.data : undefined, errors };
}

export function agreementPageRoutes(services: AppServices) {
  const { db } = services;
  const deps = { db, log: services.accessLog, clock: services.clock };
  const guard = [requireSignedIn, adminsOnly] as const;
  const forms = oversightForms(services);
  const names = async () => new Map((await listOrganisationsView(db)).map((o) => [o.slug, o.name]));
  const notFound = (c: Context<WebEnv>) =>
    page(c, <OversightRefusedPage who={whoOf(c)} title="Not found" detail="There is no such agreement." />, 404);
  const refOf = (c: Context) => c.req.param('ref')!.slice(0, 100);

  async function agreementPage(c: Context<WebEnv>, ref: string, status: number, over: { form?: ChangeForm; errors?: FieldError[] } = {}) {
    const agreement = await getAgreement(db, ref, today(services));
    if (!agreement) return notFound(c);
    const pending = await pendingProposalFor(db, ref);
    const others = (await listOrganisationsView(db)).filter((o) => o.state === 'active' && !agreement.parties.includes(o.slug));
    return pageWith(
      c,
      <AgreementPage
        who={whoOf(c)}
        agreement={agreement}
        acceptances={await acceptancesOfTerms(db, ref)}
        pending={pending ? await getProposalView(db, pending.id, today(services)) : undefined}
        others={others}
        mayChange={authoriseAgreementChange(operatorOf(c), agreement.parties).ok}
        names={await names()}
        form={over.form ?? emptyChange}
        errors={over.errors ?? []}
        notice={notices[c.req.query('done') ?? '']}
      />,
      status,
    );
  }

  const idOf = (c: Context) => (/^[1-9]\d{0,9}$/.test(c.req.param('id') ?? '') ? Number(c.req.param('id')) : 0);
  async function proposalPage(c: Context<WebEnv>, id: number) {
    const proposal = await getProposalView(db, id, today(services));
    if (!proposal) return page(c, <OversightRefusedPage who={whoOf(c)} title="Not found" detail="There is no such proposal." />, 404);
    const op = operatorOf(c);
    return page(
      c,
      <ProposalPage
        who={whoOf(c)}
        proposal={proposal}
        names={await names()}
        mayAnswer={proposalActions(op, proposal).answer}
        answerFor={c.var.actor!.org}
        notice={notices[c.req.query('done') ?? '']}
      />,
    );
  }

  async function declinePage(c: Context<WebEnv>, id: number, reason: string, errors: FieldError[], status: number) {
    const p = await getProposalView(db, id, today(services));
    if (!p) return page(c, <OversightRefusedPage who={whoOf(c)} title="Not found" detail="There is no such proposal." />, 404);
    const what = p.kind === 'new' ? `the proposed agreement ${p.reference}` : `the proposed change to agreement ${p.reference}`;
    return pageWith(
      c,
      <ConfirmPage
        who={whoOf(c)}
        title={`Decline ${p.kind === 'new' ? 'proposed agreement' : 'proposed change to'} ${p.reference}`}
        consequence={`This closes ${what} for every party: ${p.kind === 'new' ? 'it will not come into force' : 'the agreement stays as it is'}. The other parties' administrators and auditors will see your reason.`}
        action={`/admin/agreements/proposals/${p.id}/decline`}
        button="Decline proposal"
        reason={reason}
        errors={errors}
        back={`/admin/agreements/proposals/${p.id}`}
      />,
      status,
    );
  }

  async function endPage(c: Context<WebEnv>, ref: string, reason: string, errors: FieldError[], status: number) {
    const a = await getAgreement(db, ref, today(services));
    if (!a) return notFound(c);
    const known = await names();
    const parties = a.parties.map((p) => known.get(p) ?? p).join(', ');
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

  return (
    new Hono<WebEnv>()
      .get('/admin/agreements', ...guard, async (c) => {
        const state = (agreementStates as readonly string[]).includes(c.req.query('state') ?? '')
          ? (c.req.query('state') as (typeof agreementStates)[number])
          : undefined;
        const proposals = await listProposals(db, today(services), { state: 'pending' });
        return page(
          c,
          <AgreementsPage
            who={whoOf(c)}
            agreements={await listAgreements(db, today(services), state)}
            proposals={proposals}
            names={await names()}
            state={state}
            notice={notices[c.req.query('done') ?? '']}
          />,
        );
      })
      .get('/admin/agreements/matrix', ...guard, async (c) =>
        page(c, <MatrixPage who={whoOf(c)} matrix={await sharingMatrix(db, today(services))} />),
      )
      .get('/admin/agreements/new', ...guard, async (c) =>
        page(
          c,
          <NewAgreementPage
            who={whoOf(c)}
            form={{ reference: '', parties: [c.var.actor!.org], from: emptyDate, to: emptyDate }}
            organisations={await listOrganisationsView(db)}
            errors={[]}
          />,
        ),
      )
      .post('/admin/agreements', forms, ...guard, async (c) => {
        const body = await c.req.parseBody({ all: true });
        const get = (n: string) => text(body[n]).slice(0, 100);
        const parties = ([] as unknown[])
          .concat(body.parties ?? [])
          .map(text)
          .filter(Boolean)
          .slice(0, 50);
        const form: NewAgreementForm = { reference: get('reference'), parties, from: dateValue(get, 'from'), to: dateValue(get, 'to') };
        const from = isoFromDate(form.from, 'from', 'Starts on');
        const to = isoFromDate(form.to, 'to', 'Ends on');
        const errors: FieldError[] = [from.error, to.error].filter((e): e is FieldError => !!e);
        if (!from.day && !from.error) errors.push({ field: 'from-day', message: 'Starts on: enter the date the agreement starts' });
        if (!to.day && !to.error) errors.push({ field: 'to-day', message: 'Ends on: enter the date the agreement ends' });
        const parsed = newDsaSchema.safeParse({ reference: form.reference, parties, validFrom: from.day, validTo: to.day });
        const fieldOf = (p: string) =>
          ({ reference: 'reference', parties: 'party', validFrom: 'from-day', validTo: 'to-day' })[p] ?? 'reference';
        const labelOf = (f: string) =>
          ({ reference: 'Agreement reference', party: 'Parties', 'from-day': 'Starts on', 'to-day': 'Ends on' })[f] ?? f;
        if (!parsed.success)
          for (const e of issuesToErrors(parsed.error.issues, fieldOf, labelOf))
            if (!errors.some((x) => x.field === e.field)) errors.push(e);
        const again = async (errs: FieldError[], status: number) =>
          pageWith(
            c,
            <NewAgreementPage who={whoOf(c)} form={form} organisations={await listOrganisationsView(db)} errors={errs} />,
            status,
          );
        if (errors.length || !parsed.success) return again(errors, 400);
        const r = await proposeAgreement(deps, operatorOf(c), parsed.data);
        if (!r.ok) return again([{ field: r.code === 'conflict' ? 'reference' : 'party', message: r.detail }], failureStatus(r.code));
        return c.redirect(`/admin/agreements/proposals/${r.value.id}?done=proposed`, 303);
      })
      // Before /:ref, so that "proposals" is never read as an agreement's reference.
      .get('/admin/agreements/proposals/:id', ...guard, (c) => proposalPage(c, idOf(c)))
      .post('/admin/agreements/proposals/:id/accept', forms, ...guard, async (c) => {
        const id = idOf(c);
        const r = await acceptProposal(deps, operatorOf(c), id);
        if (!r.ok) {
          if (r.code === 'not_found') return proposalPage(c, id);
          return pageWith(c, <OversightRefusedPage who={whoOf(c)} title="Could not accept" detail={r.detail} />, failureStatus(r.code));
        }
        return c.redirect(`/admin/agreements/proposals/${id}?done=${r.value.state === 'accepted' ? 'in-force' : 'accepted'}`, 303);
      })
      .get('/admin/agreements/proposals/:id/decline', ...guard, (c) => declinePage(c, idOf(c), '', [], 200))
      .post('/admin/agreements/proposals/:id/decline', forms, ...guard, async (c) => {
        const id = idOf(c);
        const { reason, why, errors } = await reasonIn(c);
        if (!why) return declinePage(c, id, reason, errors, 400);
        const r = await declineProposal(deps, operatorOf(c), id, why);
        if (!r.ok) return declinePage(c, id, reason, [{ field: 'reason', message: r.detail }], failureStatus(r.code));
        return c.redirect(`/admin/agreements/proposals/${id}?done=declined`, 303);
      })
      .get('/admin/agreements/:ref', ...guard, (c) => agreementPage(c, refOf(c), 200))
      .post('/admin/agreements/:ref/changes', forms, ...guard, async (c) => {
        const ref = refOf(c);
        const body = await c.req.parseBody({ all: true });
        const get = (n: string) => text(body[n]).slice(0, 600);
        const form: ChangeForm = {
          from: dateValue(get, 'from'),
          to: dateValue(get, 'to'),
          add: ([] as unknown[])
            .concat(body.add ?? [])
            .map(text)
            .filter(Boolean)
            .slice(0, 50),
          reason: get('reason'),
        };
        const from = isoFromDate(form.from, 'from', 'New start date');
        const to = isoFromDate(form.to, 'to', 'New end date');
        const errors: FieldError[] = [to.error, from.error].filter((e): e is FieldError => !!e);
        const current = await getAgreement(db, ref, today(services));
        if (!current) return notFound(c);
        const parsed = changeProposalSchema.safeParse({
          ...(form.add.length ? { parties: [...current.parties, ...form.add] } : {}),
          ...(from.day ? { validFrom: from.day } : {}),
          ...(to.day ? { validTo: to.day } : {}),
          reason: form.reason,
        });
        const fieldOf = (p: string) => ({ parties: 'add', validFrom: 'from-day', validTo: 'to-day', reason: 'reason' })[p] ?? 'to-day';
        const labelOf = (f: string) =>
          ({ add: 'Add parties', 'from-day': 'New start date', 'to-day': 'New end date', reason: 'Why' })[f] ?? 'Change';
        if (!parsed.success)
          for (const e of issuesToErrors(parsed.error.issues, fieldOf, labelOf))
            if (!errors.some((x) => x.field === e.field)) errors.push(e);
        if (errors.length || !parsed.success) return agreementPage(c, ref, 400, { form, errors });
        const r = await proposeChange(deps, operatorOf(c), ref, parsed.data);
        if (!r.ok) {
          const path = (r.extra?.errors as { path: string }[] | undefined)?.[0]?.path;
          return agreementPage(c, ref, failureStatus(r.code), {
            form,
            errors: [{ field: path ? fieldOf(path) : 'reason', message: r.detail }],
          });
        }
        return c.redirect(`/admin/agreements/proposals/${r.value.id}?done=proposed`, 303);
      })
      .get('/admin/agreements/:ref/end', ...guard, (c) => endPage(c, refOf(c), '', [], 200))
      .post('/admin/agreements/:ref/end', forms, ...guard, async (c) => {
        const ref = refOf(c);
        const { reason, why, errors } = await reasonIn(c);
        if (!why) return endPage(c, ref, reason, errors, 400);
        const r = await endAgreement(deps, operatorOf(c), ref, why);
        if (!r.ok) return endPage(c, ref, reason, [{ field: 'reason', message: r.detail }], failureStatus(r.code));
        return c.redirect(`/admin/agreements/${encodeURIComponent(ref)}?done=ended`, 303);
      })
  );
}
