import { z } from 'zod';
import type { Body, Q, Store } from '../../../db/runtime.js';
import { isoDay } from '../core/clock.js';
import { isoDate, slugSchema } from '../core/content.js';
import { fail, ok, type Result } from '../core/result.js';
import { listOrganisations, type NewDsa } from '../organisations.js';
import { authoriseAgreementAnswer, authoriseAgreementChange, type Operator } from '../policy.js';
import {
  agreementExists,
  agreementExistsIn,
  agreementRows,
  applyTerms,
  closeProposal,
  endTerms,
  getProposal,
  insertDecision,
  insertProposal,
  lapsePendingFor,
  listAgreementRows,
  listProposalRows,
  lockAgreement,
  pendingProposalFor,
  pendingProposalRow,
  proposalRow,
  proposalStates,
  type AgreementRow,
  type DecisionRow,
  type ProposalRow,
  type Terms,
} from './agreement-store.js';
import { getAgreement, presentAgreement, type AgreementView } from './governance.js';
import { CLI_ORG, governed, type GovernanceDeps } from './log.js';

/**
 * Data-sharing agreements bind only those who accepted them (issue 20). A new agreement, and any change
 * to one (dates, added parties), is a proposal by an administrator of a party; it is in force only once
 * every party's administrator has accepted it, each acceptance a governance event. Until then the
 * agreement in force, if any, stays exactly as it was. Any party may decline (with a reason), which closes
 * the proposal; any party may end an agreement at once, which lapses a pending change with it.
 */

const reason = z.string().trim().min(3, 'say why (at least 3 characters)').max(500);

export const declineSchema = z.strictObject({ reason });

export const changeProposalSchema = z
  .strictObject({
    parties: z.array(slugSchema).min(2).max(50).optional().describe('the parties after the change: every current party and any added'),
    validFrom: isoDate.optional(),
    validTo: isoDate.optional(),
    reason,
  })
  .refine((p) => p.parties !== undefined || p.validFrom !== undefined || p.validTo !== undefined, {
    error: 'change at least one of parties, validFrom, validTo',
  })
  .refine((p) => !p.validFrom || !p.validTo || p.validFrom <= p.validTo, {
    error: 'validTo must not be before validFrom',
    path: ['validTo'],
  })
  .meta({
    description: 'When both are given, `validTo` is the same day as `validFrom` or later.',
    'x-date-order': ['validFrom', 'validTo'],
  });
export type ChangeProposal = z.infer<typeof changeProposalSchema>;

const decisionSchema = z.strictObject({
  org: z.string(),
  decision: z.enum(['accepted', 'declined']),
  by: z.string().describe('who answered: the administrator, or cli:<os user> recording a signed agreement held'),
  via: z.enum(['api', 'web', 'cli', 'seed', 'migration']),
  at: z.string(),
  note: z.string().nullable(),
});

export const proposalViewSchema = z.strictObject({
  id: z.number().int(),
  reference: z.string(),
  kind: z.enum(['new', 'change']),
  parties: z.array(z.string()),
  validFrom: z.string(),
  validTo: z.string(),
  reason: z.string().nullable(),
  proposedBy: z.strictObject({ org: z.string(), sub: z.string() }),
  proposedAt: z.string(),
  state: z.enum(proposalStates),
  decidedAt: z.string().nullable(),
  outcomeNote: z.string().nullable(),
  decisions: z.array(decisionSchema),
  awaiting: z.array(z.string()).describe('parties that have not answered yet'),
  current: z
    .strictObject({ parties: z.array(z.string()), validFrom: z.string(), validTo: z.string(), state: z.string() })
    .nullable()
    .describe('for a change: the terms in force until every party accepts'),
});
export type ProposalView = z.infer<typeof proposalViewSchema>;

function present(p: ProposalRow, agreement: AgreementRow | undefined, today: string): ProposalView {
  const answered = new Set(p.decisions.map((d) => d.org));
  const current = p.kind === 'change' && agreement ? presentAgreement(agreement, today) : undefined;
  return {
    ...p,
    awaiting: p.state === 'pending' ? p.parties.filter((o) => !answered.has(o)) : [],
    current: current ? { parties: current.parties, validFrom: current.validFrom, validTo: current.validTo, state: current.state } : null,
  };
}

/** Inside a transaction: the proposal as the API and pages show it. */
function* proposalViewIn(db: Store, q: Q, id: number, today: string): Body<ProposalView | undefined> {
  const p = yield* proposalRow(db, q, id);
  if (!p) return undefined;
  const agreement = p.kind === 'change' ? (yield* agreementRows(db, q, p.reference))[0] : undefined;
  return present(p, agreement, today);
}

export async function getProposalView(db: Store, id: number, today: string): Promise<ProposalView | undefined> {
  const p = await getProposal(db, id);
  if (!p) return undefined;
  const agreement = p.kind === 'change' ? (await listAgreementRows(db, p.reference))[0] : undefined;
  return present(p, agreement, today);
}

export async function listProposals(
  db: Store,
  today: string,
  filter: { state?: ProposalRow['state']; reference?: string } = {},
): Promise<ProposalView[]> {
  const rows = await listProposalRows(db, filter);
  const agreements = rows.some((p) => p.kind === 'change')
    ? new Map((await listAgreementRows(db)).map((a) => [a.reference, a]))
    : new Map<string, AgreementRow>();
  return rows.map((p) => present(p, agreements.get(p.reference), today));
}

/** What waits on `org`: pending proposals it has not answered, and pending proposals it made. */
export async function pendingFor(db: Store, org: string, today: string) {
  const pending = await listProposals(db, today, { state: 'pending' });
  return {
    awaitingYourAcceptance: pending.filter((p) => p.awaiting.includes(org)),
    proposedByYou: pending.filter((p) => p.proposedBy.org === org),
  };
}

/** Which answers the page may offer `op` on this proposal (the policy's answer, plus the proposal's state). */
export function proposalActions(op: Operator, p: ProposalView): { answer: boolean } {
  const who = authoriseAgreementAnswer(op, p.parties);
  return { answer: p.state === 'pending' && who.ok && p.awaiting.includes(who.value.org) };
}

const proposerOf = (op: Operator) =>
  op.via === 'cli' ? { org: CLI_ORG, sub: `cli:${op.user}` } : { org: op.actor.org, sub: op.actor.sub };
const decisionBy = (op: Operator, org: string, decision: DecisionRow['decision'], at: string, note: string | null): DecisionRow => ({
  org,
  decision,
  by: proposerOf(op).sub,
  via: op.via,
  at,
  // The CLI has no party's administrator at the keyboard: its acceptance stands for a signed copy held.
  note: op.via === 'cli' && decision === 'accepted' ? 'signed agreement held by the service operator' : note,
});

async function checkParties(db: Store, parties: string[]): Promise<Result<true>> {
  const orgs = new Map((await listOrganisations(db)).map((o) => [o.slug, o]));
  const unknown = parties.filter((p) => !orgs.has(p));
  if (unknown.length)
    return fail('invalid', `unknown organisation(s): ${unknown.join(', ')}`, {
      errors: [{ path: 'parties', message: 'unknown organisation' }],
      reason: 'unknown-party',
    });
  const disabled = parties.filter((p) => orgs.get(p)?.disabledAt);
  if (disabled.length) {
    return fail('invalid', `disabled organisation(s) cannot join an agreement: ${disabled.join(', ')}`, {
      errors: [{ path: 'parties', message: 'disabled organisation' }],
      reason: 'disabled-party',
    });
  }
  return ok(true);
}

/**
 * Inside the change's transaction: records the acceptances, and if that makes every party's, puts the
 * terms in force. `expectComplete` is what the governance event already said; a different outcome means
 * another party answered meanwhile, so the change is refused (and retried) rather than mis-logged. The
 * caller holds the agreement's lock (lockAgreement), so on PostgreSQL as on SQLite the answers read here
 * are every answer committed, and two last acceptances cannot both complete, or both miss, the set.
 */
function* acceptInTx(
  db: Store,
  q: Q,
  p: Pick<ProposalRow, 'id' | 'kind'> & Terms,
  accepts: DecisionRow[],
  at: string,
  expectComplete: boolean,
): Body<Result<true>> {
  for (const d of accepts) yield* insertDecision(db, q, p.id, d);
  const answered = (yield* proposalRow(db, q, p.id))!.decisions;
  if (answered.some((d) => d.decision !== 'accepted'))
    return fail('conflict', 'the proposal was declined meanwhile', { reason: 'not-pending' });
  const complete = p.parties.every((o) => answered.some((d) => d.org === o));
  if (complete !== expectComplete) return fail('conflict', 'another party answered meanwhile; try again', { reason: 'changed-meanwhile' });
  if (!complete) return ok(true);
  if (!(yield* applyTerms(db, q, p.kind, p, at)))
    return fail('conflict', `agreement "${p.reference}" changed meanwhile (ended, or the reference taken)`, {
      reason: 'changed-meanwhile',
    });
  if (!(yield* closeProposal(db, q, p.id, 'accepted', at, null)))
    return fail('conflict', 'the proposal was answered meanwhile', { reason: 'not-pending' });
  return ok(true);
}

/**
 * Proposes a new agreement. An administrator proposes only one their organisation is party to, and
 * their acceptance is recorded with it. The service operator (CLI) may propose one for others, and
 * `acceptedBy` records the parties whose signed agreements it holds: all of them puts it in force.
 */
export function proposeAgreement(
  deps: GovernanceDeps,
  op: Operator,
  dsa: NewDsa,
  opts: { acceptedBy?: string[] } = {},
): Promise<Result<ProposalView>> {
  const { db } = deps;
  return governed(deps, op, { op: 'agreement.propose', target: dsa.reference }, async () => {
    const parties = [...new Set(dsa.parties)].sort();
    if (parties.length < 2)
      return fail('invalid', 'an agreement needs at least two different parties', {
        errors: [{ path: 'parties', message: 'at least two different parties' }],
      });
    const allowed = authoriseAgreementChange(op, parties);
    if (!allowed.ok) return allowed;
    const accepting: string[] = [];
    if (op.via === 'cli') {
      for (const org of new Set(opts.acceptedBy ?? [])) {
        const who = authoriseAgreementAnswer(op, parties, org);
        if (!who.ok)
          return who.code === 'forbidden'
            ? fail('invalid', who.detail, { errors: [{ path: 'acceptedBy', message: 'not a party' }], reason: 'not-a-party' })
            : who;
        accepting.push(who.value.org);
      }
    } else {
      if (opts.acceptedBy?.length) return fail('forbidden', 'an organisation answers only for itself', { reason: 'not-your-organisation' });
      accepting.push(op.actor.org);
    }
    const valid = await checkParties(db, parties);
    if (!valid.ok) return valid;
    if (await agreementExists(db, dsa.reference))
      return fail('conflict', `agreement "${dsa.reference}" already exists`, { reason: 'reference-taken' });
    if (await pendingProposalFor(db, dsa.reference))
      return fail('conflict', `agreement "${dsa.reference}" is already proposed and waiting for acceptance`, {
        reason: 'proposal-pending',
      });
    const terms: Terms = { reference: dsa.reference, parties, validFrom: dsa.validFrom, validTo: dsa.validTo };
    const inForce = parties.every((p) => accepting.includes(p));
    return ok({
      orgs: parties,
      changes: { parties, validFrom: dsa.validFrom, validTo: dsa.validTo, acceptedBy: accepting.sort(), inForce },
      *apply(q) {
        yield* lockAgreement(dsa.reference);
        if ((yield* agreementExistsIn(db, q, dsa.reference)) || (yield* pendingProposalRow(db, q, dsa.reference))) {
          return fail('conflict', `agreement "${dsa.reference}" was proposed meanwhile`, { reason: 'reference-taken' });
        }
        const at = deps.clock().toISOString();
        const id = yield* insertProposal(db, q, { ...terms, kind: 'new', reason: null, proposedBy: proposerOf(op), at });
        const r = yield* acceptInTx(
          db,
          q,
          { id, kind: 'new', ...terms },
          accepting.map((org) => decisionBy(op, org, 'accepted', at, null)),
          at,
          inForce,
        );
        return r.ok ? ok((yield* proposalViewIn(db, q, id, isoDay(deps.clock())))!) : r;
      },
    });
  });
}

/**
 * Proposes a change to an agreement (dates, added parties): in force once every party after the change
 * has accepted it. Until then the agreement stays as it is. A party leaves by ending the agreement.
 */
export function proposeChange(
  deps: GovernanceDeps,
  op: Operator,
  reference: string,
  change: ChangeProposal,
): Promise<Result<ProposalView>> {
  const { db } = deps;
  return governed(deps, op, { op: 'agreement.propose-change', target: reference }, async () => {
    const today = isoDay(deps.clock());
    const before = await getAgreement(db, reference, today);
    if (!before) return fail('not_found', `no agreement "${reference}"`);
    const allowed = authoriseAgreementChange(op, before.parties);
    if (!allowed.ok) return allowed;
    if (before.state === 'ended')
      return fail('conflict', `agreement "${reference}" was ended on ${before.endedAt}; propose a new one instead`, { reason: 'ended' });
    const parties = [...new Set(change.parties ?? before.parties)].sort();
    const dropped = before.parties.filter((p) => !parties.includes(p));
    if (dropped.length) {
      return fail('invalid', `a change cannot remove a party (${dropped.join(', ')}): a party leaves by ending the agreement`, {
        errors: [{ path: 'parties', message: 'must keep every current party' }],
        reason: 'party-removed',
      });
    }
    const terms: Terms = { reference, parties, validFrom: change.validFrom ?? before.validFrom, validTo: change.validTo ?? before.validTo };
    if (terms.validTo < terms.validFrom)
      return fail('invalid', 'validTo must not be before validFrom', {
        errors: [{ path: 'validTo', message: `must not be before ${terms.validFrom}` }],
      });
    if (terms.validFrom === before.validFrom && terms.validTo === before.validTo && parties.length === before.parties.length) {
      return fail('conflict', 'nothing to change: the agreement already says that', { reason: 'no-change' });
    }
    const valid = await checkParties(
      db,
      parties.filter((p) => !before.parties.includes(p)),
    );
    if (!valid.ok) return valid;
    if (await pendingProposalFor(db, reference))
      return fail('conflict', `a change to "${reference}" is already waiting for acceptance: answer or decline it first`, {
        reason: 'proposal-pending',
      });
    const proposer = op.via === 'cli' ? [] : [op.actor.org];
    const diff = Object.fromEntries(
      (['validFrom', 'validTo'] as const).filter((k) => terms[k] !== before[k]).map((k) => [k, { from: before[k], to: terms[k] }]),
    );
    const added = parties.filter((p) => !before.parties.includes(p));
    return ok({
      orgs: parties,
      changes: { ...diff, ...(added.length ? { addedParties: added } : {}), acceptedBy: proposer },
      reason: change.reason,
      *apply(q) {
        yield* lockAgreement(reference);
        if (yield* pendingProposalRow(db, q, reference))
          return fail('conflict', `a change to "${reference}" was proposed meanwhile`, { reason: 'proposal-pending' });
        const at = deps.clock().toISOString();
        const id = yield* insertProposal(db, q, { ...terms, kind: 'change', reason: change.reason, proposedBy: proposerOf(op), at });
        const r = yield* acceptInTx(
          db,
          q,
          { id, kind: 'change', ...terms },
          proposer.map((org) => decisionBy(op, org, 'accepted', at, null)),
          at,
          false,
        );
        return r.ok ? ok((yield* proposalViewIn(db, q, id, isoDay(deps.clock())))!) : r;
      },
    });
  });
}

/** Extending is a change of its end date: a proposal, in force once every party accepts. */
export async function proposeExtension(
  deps: GovernanceDeps,
  op: Operator,
  reference: string,
  body: { to: string; reason: string },
): Promise<Result<ProposalView>> {
  const current = await getAgreement(deps.db, reference, isoDay(deps.clock()));
  if (current && current.state !== 'ended' && body.to <= current.validTo) {
    return fail('invalid', `to must be after the current end date ${current.validTo}`, {
      errors: [{ path: 'to', message: `must be after ${current.validTo}` }],
    });
  }
  return proposeChange(deps, op, reference, { validTo: body.to, reason: body.reason });
}

async function answerable(deps: GovernanceDeps, id: number): Promise<Result<ProposalView>> {
  const p = await getProposalView(deps.db, id, isoDay(deps.clock()));
  if (!p) return fail('not_found', `no proposal ${id}`);
  return ok(p);
}

/** Accepting and declining alike: the party `op` answers for (policy), while the proposal is still open. */
function partyAnswering(op: Operator, p: ProposalView, onBehalfOf: string | undefined): Result<string> {
  const who = authoriseAgreementAnswer(op, p.parties, onBehalfOf);
  if (!who.ok) return who;
  if (p.state !== 'pending') return fail('conflict', `this proposal is no longer open: ${p.state}`, { reason: 'not-pending' });
  return ok(who.value.org);
}

/**
 * One party's acceptance, on the record; the last one puts the terms in force. Two parties accepting at
 * once are serialised by the agreement's lock: the second reads the first's acceptance, finds the outcome
 * is not the one its event announced, and is refused (changed-meanwhile) with nothing written.
 */
export async function acceptProposal(
  deps: GovernanceDeps,
  op: Operator,
  id: number,
  opts: { onBehalfOf?: string } = {},
): Promise<Result<ProposalView>> {
  const { db } = deps;
  const found = await answerable(deps, id);
  return governed(deps, op, { op: 'agreement.accept', target: found.ok ? found.value.reference : `proposal:${id}` }, async () => {
    if (!found.ok) return found;
    const p = found.value;
    const answering = partyAnswering(op, p, opts.onBehalfOf);
    if (!answering.ok) return answering;
    const org = answering.value;
    if (!p.awaiting.includes(org)) return fail('conflict', `${org} has already answered this proposal`, { reason: 'already-answered' });
    if (p.kind === 'change' && p.current?.state === 'ended')
      return fail('conflict', `agreement "${p.reference}" has ended`, { reason: 'ended' });
    const inForce = p.awaiting.length === 1;
    if (inForce) {
      // Disabled since it was proposed: its people cannot sign in, and it cannot join an agreement now.
      const parties = await checkParties(db, p.parties);
      if (!parties.ok) return fail('conflict', parties.detail, { reason: parties.extra?.reason });
    }
    return ok({
      orgs: p.parties,
      changes: {
        proposal: p.id,
        kind: p.kind,
        party: org,
        inForce,
        terms: { parties: p.parties, validFrom: p.validFrom, validTo: p.validTo },
      },
      *apply(q) {
        yield* lockAgreement(p.reference);
        const now = yield* proposalRow(db, q, p.id);
        if (now?.state !== 'pending' || now.decisions.some((d) => d.org === org))
          return fail('conflict', 'the proposal was answered meanwhile', { reason: 'not-pending' });
        const at = deps.clock().toISOString();
        const terms = { id: p.id, kind: p.kind, reference: p.reference, parties: p.parties, validFrom: p.validFrom, validTo: p.validTo };
        const r = yield* acceptInTx(db, q, terms, [decisionBy(op, org, 'accepted', at, null)], at, inForce);
        return r.ok ? ok((yield* proposalViewIn(db, q, p.id, isoDay(deps.clock())))!) : r;
      },
    });
  });
}

/** One party's refusal, with its reason: the proposal closes, and the agreement in force (if any) stays as it is. */
export async function declineProposal(
  deps: GovernanceDeps,
  op: Operator,
  id: number,
  body: { reason: string },
  opts: { onBehalfOf?: string } = {},
): Promise<Result<ProposalView>> {
  const { db } = deps;
  const found = await answerable(deps, id);
  return governed(deps, op, { op: 'agreement.decline', target: found.ok ? found.value.reference : `proposal:${id}` }, () => {
    if (!found.ok) return found;
    const p = found.value;
    const answering = partyAnswering(op, p, opts.onBehalfOf);
    if (!answering.ok) return answering;
    const org = answering.value;
    return ok({
      orgs: p.parties,
      changes: { proposal: p.id, kind: p.kind, party: org },
      reason: body.reason,
      *apply(q) {
        yield* lockAgreement(p.reference);
        const at = deps.clock().toISOString();
        if (!(yield* closeProposal(db, q, p.id, 'declined', at, body.reason)))
          return fail('conflict', 'the proposal was answered meanwhile', { reason: 'not-pending' });
        // The proposer may withdraw their own proposal: their earlier acceptance stays on the record.
        if (!(yield* proposalRow(db, q, p.id))!.decisions.some((d) => d.org === org))
          yield* insertDecision(db, q, p.id, decisionBy(op, org, 'declined', at, body.reason));
        return ok((yield* proposalViewIn(db, q, p.id, isoDay(deps.clock())))!);
      },
    });
  });
}

/**
 * Ends an agreement now, by any one party: reads relying on it stop at once (the read cache's epoch moves
 * with the update), and a change waiting for acceptance lapses with it.
 */
export function endAgreement(
  deps: GovernanceDeps,
  op: Operator,
  reference: string,
  body: { reason: string },
): Promise<Result<AgreementView>> {
  const { db } = deps;
  return governed(deps, op, { op: 'agreement.end', target: reference }, async () => {
    const today = isoDay(deps.clock());
    const before = await getAgreement(db, reference, today);
    if (!before) return fail('not_found', `no agreement "${reference}"`);
    const allowed = authoriseAgreementChange(op, before.parties);
    if (!allowed.ok) return allowed;
    if (before.state === 'ended')
      return fail('conflict', `agreement "${reference}" was already ended on ${before.endedAt}`, { reason: 'ended' });
    if (before.state === 'expired')
      return fail('conflict', `agreement "${reference}" already expired on ${before.validTo}`, { reason: 'expired' });
    const at = deps.clock().toISOString();
    const pending = await pendingProposalFor(db, reference);
    return ok({
      orgs: before.parties,
      changes: { endedAt: at, validTo: before.validTo, ...(pending ? { lapsedProposal: pending.id } : {}) },
      reason: body.reason,
      *apply(q) {
        yield* lockAgreement(reference);
        if (!(yield* endTerms(db, q, reference, at, body.reason)))
          return fail('conflict', `agreement "${reference}" was ended meanwhile`, { reason: 'ended' });
        yield* lapsePendingFor(db, q, reference, at, 'the agreement was ended');
        return ok(presentAgreement((yield* agreementRows(db, q, reference))[0]!, today));
      },
    });
  });
}
