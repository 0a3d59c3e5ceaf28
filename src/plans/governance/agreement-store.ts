import type { Db } from '../../../db/index.js';

/**
 * The SQL of agreements and their proposals (issue 20). Reads of plans rely only on
 * `data_sharing_agreements` and `dsa_parties`, which hold nothing but terms every party accepted: they
 * are written here only by `applyTerms`, once the last party has accepted (or by the seeding helper, for
 * terms whose acceptance is recorded with them). Both tables' triggers move the read cache's epoch.
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

type RawProposal = Omit<ProposalRow, 'parties' | 'proposedBy' | 'decisions'> & { parties: string; proposedByOrg: string; proposedBySub: string; decisions: string };

const SELECT_PROPOSAL = `
  SELECT p.id, p.reference, p.kind, p.parties, p.valid_from AS validFrom, p.valid_to AS validTo, p.reason,
         p.proposed_by_org AS proposedByOrg, p.proposed_by_sub AS proposedBySub, p.proposed_at AS proposedAt,
         p.state, p.decided_at AS decidedAt, p.outcome_note AS outcomeNote,
         (SELECT json_group_array(json_object('org', org_slug, 'decision', decision, 'by', by_sub, 'via', via, 'at', at, 'note', note))
            FROM (SELECT * FROM dsa_decisions WHERE proposal_id = p.id ORDER BY at, org_slug)) AS decisions
  FROM dsa_proposals p`;

const toRow = (r: RawProposal): ProposalRow => {
  const { parties, proposedByOrg, proposedBySub, decisions, ...rest } = r;
  return { ...rest, parties: JSON.parse(parties) as string[], proposedBy: { org: proposedByOrg, sub: proposedBySub }, decisions: JSON.parse(decisions) as DecisionRow[] };
};

export function getProposal(db: Db, id: number): ProposalRow | undefined {
  const r = db.$client.prepare(`${SELECT_PROPOSAL} WHERE p.id = ?`).get(id) as RawProposal | undefined;
  return r && toRow(r);
}

export function pendingProposalFor(db: Db, reference: string): ProposalRow | undefined {
  const r = db.$client.prepare(`${SELECT_PROPOSAL} WHERE p.reference = ? AND p.state = 'pending'`).get(reference) as RawProposal | undefined;
  return r && toRow(r);
}

/** Proposals, newest first; `state` narrows them, `reference` to one agreement's. */
export function listProposalRows(db: Db, filter: { state?: ProposalState; reference?: string } = {}): ProposalRow[] {
  const where = [filter.state ? 'p.state = @state' : '', filter.reference ? 'p.reference = @reference' : ''].filter(Boolean);
  return (db.$client.prepare(`${SELECT_PROPOSAL} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY p.id DESC`).all({ ...filter }) as RawProposal[]).map(toRow);
}

/** The acceptances behind the terms in force: those of the latest accepted proposal for the agreement. */
export function acceptancesOfTerms(db: Db, reference: string): DecisionRow[] {
  const p = db.$client.prepare("SELECT id FROM dsa_proposals WHERE reference = ? AND state = 'accepted' ORDER BY id DESC LIMIT 1").get(reference) as { id: number } | undefined;
  return p ? getProposal(db, p.id)!.decisions : [];
}

export function insertProposal(
  db: Db,
  p: Terms & { kind: ProposalKind; reason: string | null; proposedBy: { org: string; sub: string }; at: string },
): number {
  const r = db.$client
    .prepare(
      `INSERT INTO dsa_proposals (reference, kind, parties, valid_from, valid_to, reason, proposed_by_org, proposed_by_sub, proposed_at, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
    )
    .run(p.reference, p.kind, JSON.stringify([...p.parties].sort()), p.validFrom, p.validTo, p.reason, p.proposedBy.org, p.proposedBy.sub, p.at);
  return Number(r.lastInsertRowid);
}

export function insertDecision(db: Db, proposalId: number, d: DecisionRow): void {
  db.$client
    .prepare('INSERT INTO dsa_decisions (proposal_id, org_slug, decision, by_sub, via, at, note) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(proposalId, d.org, d.decision, d.by, d.via, d.at, d.note);
}

/** Compare-and-set from pending: false if the proposal was answered meanwhile. */
export function closeProposal(db: Db, id: number, state: Exclude<ProposalState, 'pending'>, at: string, note: string | null): boolean {
  return db.$client.prepare("UPDATE dsa_proposals SET state = ?, decided_at = ?, outcome_note = ? WHERE id = ? AND state = 'pending'").run(state, at, note, id).changes === 1;
}

/** Pending proposals for an agreement that has just ended lapse with it: nobody can accept them any more. */
export function lapsePendingFor(db: Db, reference: string, at: string, note: string): number[] {
  const ids = (db.$client.prepare("SELECT id FROM dsa_proposals WHERE reference = ? AND state = 'pending'").all(reference) as { id: number }[]).map((r) => r.id);
  for (const id of ids) closeProposal(db, id, 'lapsed', at, note);
  return ids;
}

export const agreementExists = (db: Db, reference: string) =>
  db.$client.prepare('SELECT 1 FROM data_sharing_agreements WHERE reference = ?').get(reference) !== undefined;

/**
 * Puts accepted terms in force: a new agreement, or a change to one that has not ended (parties are only
 * ever added by a change). False when the agreement moved meanwhile (ended, or already taken).
 */
export function applyTerms(db: Db, kind: ProposalKind, t: Terms, at: string): boolean {
  const c = db.$client;
  if (kind === 'new') {
    if (agreementExists(db, t.reference)) return false;
    const id = Number(c.prepare('INSERT INTO data_sharing_agreements (reference, valid_from, valid_to, created_at) VALUES (?, ?, ?, ?)').run(t.reference, t.validFrom, t.validTo, at).lastInsertRowid);
    const party = c.prepare('INSERT INTO dsa_parties (dsa_id, org_slug) VALUES (?, ?)');
    for (const p of t.parties) party.run(id, p);
    return true;
  }
  const row = c.prepare('SELECT id FROM data_sharing_agreements WHERE reference = ? AND ended_at IS NULL').get(t.reference) as { id: number } | undefined;
  if (!row) return false;
  c.prepare('UPDATE data_sharing_agreements SET valid_from = ?, valid_to = ? WHERE id = ?').run(t.validFrom, t.validTo, row.id);
  const party = c.prepare('INSERT OR IGNORE INTO dsa_parties (dsa_id, org_slug) VALUES (?, ?)');
  for (const p of t.parties) party.run(row.id, p);
  return true;
}

/** Ends an agreement now; false if it had already ended. */
export const endTerms = (db: Db, reference: string, at: string, reason: string) =>
  db.$client.prepare('UPDATE data_sharing_agreements SET ended_at = ?, end_reason = ? WHERE reference = ? AND ended_at IS NULL').run(at, reason, reference).changes === 1;

/**
 * Records an agreement whose every party's acceptance is already held, and puts it in force: the demo
 * seed and test fixtures. Not reachable from the API, the pages or the CLI.
 */
export function recordAcceptedAgreement(db: Db, t: Terms, at: string, via: 'seed'): boolean {
  return db.transaction(() => {
    if (!applyTerms(db, 'new', t, at)) return false;
    const id = insertProposal(db, { ...t, kind: 'new', reason: null, proposedBy: { org: `(${via})`, sub: via }, at });
    for (const org of t.parties) insertDecision(db, id, { org, decision: 'accepted', by: via, via, at, note: null });
    closeProposal(db, id, 'accepted', at, null);
    return true;
  });
}
