import { and, desc, eq, gte, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm';
import { all, lock, one, outside, run, type Body, type Q, type Store } from '../../../db/runtime.js';

/**
 * The statements of agreements and their proposals (issue 20), written once for both dialects
 * (db/runtime.ts). Reads of plans rely only on `data_sharing_agreements` and `dsa_parties`, which hold
 * nothing but terms every party accepted: they are written here only by `applyTerms`, once the last party
 * has accepted (or by the seeding helper, for terms whose acceptance is recorded with them). Both tables'
 * triggers move the read cache's epoch.
 *
 * Each statement is a body for a transaction (`yield*`); the reads also run alone through `outside`.
 * Lists are put in order here, in code, so both stores give the same order whatever their collation.
 */

export const proposalStates = ['pending', 'accepted', 'declined', 'lapsed'] as const;
export type ProposalState = (typeof proposalStates)[number];
export type ProposalKind = 'new' | 'change';
export type DecisionVia = 'api' | 'web' | 'cli' | 'seed' | 'migration';

export type Terms = { reference: string; parties: string[]; validFrom: string; validTo: string };

export type DecisionRow = { org: string; decision: 'accepted' | 'declined'; by: string; via: DecisionVia; at: string; note: string | null };

export type ProposalRow = {
  id: number;
  reference: string;
  kind: ProposalKind;
  parties: string[];
  validFrom: string;
  validTo: string;
  reason: string | null;
  proposedBy: { org: string; sub: string };
  proposedAt: string;
  state: ProposalState;
  decidedAt: string | null;
  outcomeNote: string | null;
  decisions: DecisionRow[];
};

/** An agreement in the register (accepted terms), with its parties in order. */
export type AgreementRow = {
  id: number;
  reference: string;
  parties: string[];
  validFrom: string;
  validTo: string;
  endedAt: string | null;
  endReason: string | null;
  createdAt: string;
};

const binary = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Serialises every change to one agreement and its proposals. On PostgreSQL two parties accepting at once
 * would otherwise each read the other's acceptance as missing, both stop short of "every party", and the
 * terms never come into force (or both see "complete" and both apply them); SQLite's BEGIN IMMEDIATE
 * already runs them one after the other. The second then reads the first's answer and is refused as
 * "changed meanwhile" (its event said otherwise), exactly as on SQLite.
 */
export const lockAgreement = (reference: string) => lock(`agreement:${reference}`);

function* proposalsWhere(db: Store, q: Q, where: SQL | undefined): Body<ProposalRow[]> {
  const { dsaProposals: p, dsaDecisions: d } = db.t;
  const rows = yield* all(q.select().from(p).where(where).orderBy(desc(p.id)));
  if (rows.length === 0) return [];
  const decided = yield* all(
    q
      .select({ proposalId: d.proposalId, org: d.orgSlug, decision: d.decision, by: d.bySub, via: d.via, at: d.at, note: d.note })
      .from(d)
      .where(
        inArray(
          d.proposalId,
          rows.map((r) => r.id),
        ),
      ),
  );
  decided.sort((a, b) => binary(a.at, b.at) || binary(a.org, b.org));
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    kind: r.kind,
    parties: JSON.parse(r.parties) as string[],
    validFrom: r.validFrom,
    validTo: r.validTo,
    reason: r.reason,
    proposedBy: { org: r.proposedByOrg, sub: r.proposedBySub },
    proposedAt: r.proposedAt,
    state: r.state,
    decidedAt: r.decidedAt,
    outcomeNote: r.outcomeNote,
    decisions: decided.filter((x) => x.proposalId === r.id).map(({ proposalId: _p, ...x }) => x),
  }));
}

export function* proposalRow(db: Store, q: Q, id: number): Body<ProposalRow | undefined> {
  return (yield* proposalsWhere(db, q, eq(db.t.dsaProposals.id, id)))[0];
}

export function* pendingProposalRow(db: Store, q: Q, reference: string): Body<ProposalRow | undefined> {
  const { dsaProposals: p } = db.t;
  return (yield* proposalsWhere(db, q, and(eq(p.reference, reference), eq(p.state, 'pending'))))[0];
}

export const getProposal = (db: Store, id: number) => outside(db, proposalRow(db, db.q, id));
export const pendingProposalFor = (db: Store, reference: string) => outside(db, pendingProposalRow(db, db.q, reference));

/** Proposals, newest first; `state` narrows them, `reference` to one agreement's. */
export function listProposalRows(db: Store, filter: { state?: ProposalState; reference?: string } = {}): Promise<ProposalRow[]> {
  const { dsaProposals: p } = db.t;
  const where = and(filter.state ? eq(p.state, filter.state) : undefined, filter.reference ? eq(p.reference, filter.reference) : undefined);
  return outside(db, proposalsWhere(db, db.q, where));
}

/** The acceptances behind the terms in force: those of the latest accepted proposal for the agreement. */
export async function acceptancesOfTerms(db: Store, reference: string): Promise<DecisionRow[]> {
  const { dsaProposals: p } = db.t;
  const latest = await db.one(
    db.q
      .select({ id: p.id })
      .from(p)
      .where(and(eq(p.reference, reference), eq(p.state, 'accepted')))
      .orderBy(desc(p.id))
      .limit(1),
  );
  return latest ? (await getProposal(db, latest.id))!.decisions : [];
}

export function* insertProposal(
  db: Store,
  q: Q,
  p: Terms & { kind: ProposalKind; reason: string | null; proposedBy: { org: string; sub: string }; at: string },
): Body<number> {
  const { dsaProposals } = db.t;
  const { id } = yield* one(
    q
      .insert(dsaProposals)
      .values({
        reference: p.reference,
        kind: p.kind,
        parties: JSON.stringify([...p.parties].sort()),
        validFrom: p.validFrom,
        validTo: p.validTo,
        reason: p.reason,
        proposedByOrg: p.proposedBy.org,
        proposedBySub: p.proposedBy.sub,
        proposedAt: p.at,
        state: 'pending',
      })
      .returning({ id: dsaProposals.id }),
  );
  return id;
}

export function* insertDecision(db: Store, q: Q, proposalId: number, d: DecisionRow): Body<void> {
  yield* run(
    q
      .insert(db.t.dsaDecisions)
      .values({ proposalId, orgSlug: d.org, decision: d.decision, bySub: d.by, via: d.via, at: d.at, note: d.note }),
  );
}

/** Compare-and-set from pending: false if the proposal was answered meanwhile. */
export function* closeProposal(
  db: Store,
  q: Q,
  id: number,
  state: Exclude<ProposalState, 'pending'>,
  at: string,
  note: string | null,
): Body<boolean> {
  const { dsaProposals: p } = db.t;
  return (
    (yield* run(
      q
        .update(p)
        .set({ state, decidedAt: at, outcomeNote: note })
        .where(and(eq(p.id, id), eq(p.state, 'pending'))),
    )) === 1
  );
}

/** Pending proposals for an agreement that has just ended lapse with it: nobody can accept them any more. */
export function* lapsePendingFor(db: Store, q: Q, reference: string, at: string, note: string): Body<number[]> {
  const { dsaProposals: p } = db.t;
  const ids = (yield* all(
    q
      .select({ id: p.id })
      .from(p)
      .where(and(eq(p.reference, reference), eq(p.state, 'pending'))),
  )).map((r) => r.id);
  for (const id of ids) yield* closeProposal(db, q, id, 'lapsed', at, note);
  return ids;
}

export function* agreementExistsIn(db: Store, q: Q, reference: string): Body<boolean> {
  const { dataSharingAgreements: a } = db.t;
  return (yield* one(q.select({ id: a.id }).from(a).where(eq(a.reference, reference)))) !== undefined;
}

export const agreementExists = (db: Store, reference: string) => outside(db, agreementExistsIn(db, db.q, reference));

/**
 * Puts accepted terms in force: a new agreement, or a change to one that has not ended (parties are only
 * ever added by a change). False when the agreement moved meanwhile (ended, or already taken).
 */
export function* applyTerms(db: Store, q: Q, kind: ProposalKind, t: Terms, at: string): Body<boolean> {
  const { dataSharingAgreements: a, dsaParties } = db.t;
  if (kind === 'new') {
    if (yield* agreementExistsIn(db, q, t.reference)) return false;
    const { id } = yield* one(
      q.insert(a).values({ reference: t.reference, validFrom: t.validFrom, validTo: t.validTo, createdAt: at }).returning({ id: a.id }),
    );
    yield* run(q.insert(dsaParties).values(t.parties.map((orgSlug) => ({ dsaId: id, orgSlug }))));
    return true;
  }
  const row = yield* one(
    q
      .select({ id: a.id })
      .from(a)
      .where(and(eq(a.reference, t.reference), isNull(a.endedAt))),
  );
  if (!row) return false;
  yield* run(q.update(a).set({ validFrom: t.validFrom, validTo: t.validTo }).where(eq(a.id, row.id)));
  yield* run(
    q
      .insert(dsaParties)
      .values(t.parties.map((orgSlug) => ({ dsaId: row.id, orgSlug })))
      .onConflictDoNothing(),
  );
  return true;
}

/** Ends an agreement now; false if it had already ended. */
export function* endTerms(db: Store, q: Q, reference: string, at: string, reason: string): Body<boolean> {
  const { dataSharingAgreements: a } = db.t;
  return (
    (yield* run(
      q
        .update(a)
        .set({ endedAt: at, endReason: reason })
        .where(and(eq(a.reference, reference), isNull(a.endedAt))),
    )) === 1
  );
}

/**
 * Records an agreement whose every party's acceptance is already held, and puts it in force: the demo
 * seed and test fixtures. Not reachable from the API, the pages or the CLI.
 */
export function recordAcceptedAgreement(db: Store, t: Terms, at: string, via: 'seed'): Promise<boolean> {
  return db.tx(function* (q) {
    yield* lockAgreement(t.reference);
    if (!(yield* applyTerms(db, q, 'new', t, at))) return false;
    const id = yield* insertProposal(db, q, { ...t, kind: 'new', reason: null, proposedBy: { org: `(${via})`, sub: via }, at });
    for (const org of t.parties) yield* insertDecision(db, q, id, { org, decision: 'accepted', by: via, via, at, note: null });
    yield* closeProposal(db, q, id, 'accepted', at, null);
    return true;
  });
}

/** Agreements with their parties, by reference; `reference` narrows them to one. */
export function* agreementRows(db: Store, q: Q, reference?: string): Body<AgreementRow[]> {
  const { dataSharingAgreements: a, dsaParties: p } = db.t;
  const only = reference === undefined ? undefined : eq(a.reference, reference);
  const rows = yield* all(q.select().from(a).where(only));
  if (rows.length === 0) return [];
  const parties = yield* all(q.select({ dsaId: p.dsaId, org: p.orgSlug }).from(p).innerJoin(a, eq(a.id, p.dsaId)).where(only));
  return rows
    .map((r) => ({
      ...r,
      parties: parties
        .filter((x) => x.dsaId === r.id)
        .map((x) => x.org)
        .sort(binary),
    }))
    .sort((x, y) => binary(x.reference, y.reference));
}

export const listAgreementRows = (db: Store, reference?: string) => outside(db, agreementRows(db, db.q, reference));

type Lookups = {
  inForce(orgA: string, orgB: string, day: string): Promise<string | undefined>;
  partners(org: string, day: string): Promise<string[]>;
};
const lookups = new WeakMap<Store, Lookups>();

/**
 * The agreement checks on every read, prepared once per store. Only accepted terms are in these tables
 * (proposals wait in `dsa_proposals`), so none of them can count a proposal.
 */
export function agreementLookups(db: Store): Lookups {
  let found = lookups.get(db);
  if (found) return found;
  const { dataSharingAgreements: a, dsaParties: p } = db.t;
  const day = sql.placeholder('day');
  const current = (q: Q) =>
    q
      .select({ id: a.id })
      .from(a)
      .where(and(lte(a.validFrom, day), gte(a.validTo, day), isNull(a.endedAt)));
  const partyOf = (q: Q, org: string) =>
    q
      .select({ id: p.dsaId })
      .from(p)
      .where(eq(p.orgSlug, sql.placeholder(org)));
  // An agreement valid on `day`, not ended, naming both organisations; the oldest when several do.
  const inForce = db.prepared<{ a: string; b: string; day: string }, { reference: string }>('register_agreement_in_force', (q) =>
    q
      .select({ reference: a.reference })
      .from(a)
      .where(
        and(lte(a.validFrom, day), gte(a.validTo, day), isNull(a.endedAt), inArray(a.id, partyOf(q, 'a')), inArray(a.id, partyOf(q, 'b'))),
      )
      .orderBy(a.id)
      .limit(1),
  );
  // Every party of an agreement in force that names `org` (`org` itself among them).
  const partners = db.prepared<{ org: string; day: string }, { slug: string }>('register_agreement_partners', (q) =>
    q
      .selectDistinct({ slug: p.orgSlug })
      .from(p)
      .where(and(inArray(p.dsaId, current(q)), inArray(p.dsaId, partyOf(q, 'org')))),
  );
  found = {
    inForce: async (orgA, orgB, d) => (await inForce.one({ a: orgA, b: orgB, day: d }))?.reference,
    partners: async (org, d) => (await partners.all({ org, day: d })).map((r) => r.slug),
  };
  lookups.set(db, found);
  return found;
}
