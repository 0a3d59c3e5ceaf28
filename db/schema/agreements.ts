import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { organisations } from './plans.js';

/**
 * A data-sharing agreement binds only those who signed it (issue 20): new agreements and changes to one
 * (dates, parties) start here as proposals, and reach `data_sharing_agreements` / `dsa_parties` (what
 * reads rely on) only once every party's administrator has accepted. Ending an agreement needs no
 * proposal: any party may withdraw at once.
 */
export const dsaProposals = sqliteTable(
  'dsa_proposals',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The agreement's reference: a new one's, or the agreement a change is to. */
    reference: text('reference').notNull(),
    kind: text('kind', { enum: ['new', 'change'] }).notNull(),
    /** The proposed terms in full (a change repeats what it keeps): a JSON array of slugs, sorted. */
    parties: text('parties').notNull(),
    validFrom: text('valid_from').notNull(),
    validTo: text('valid_to').notNull(),
    reason: text('reason'),
    /** The proposing organisation's slug, or `(cli)` for the service operator at the machine. */
    proposedByOrg: text('proposed_by_org').notNull(),
    proposedBySub: text('proposed_by_sub').notNull(),
    proposedAt: text('proposed_at').notNull(),
    state: text('state', { enum: ['pending', 'accepted', 'declined', 'lapsed'] }).notNull(),
    decidedAt: text('decided_at'),
    /** Why it was declined, or why it lapsed (the agreement ended meanwhile). */
    outcomeNote: text('outcome_note'),
  },
  (t) => [
    // At most one open proposal per agreement: parties accept exactly one set of terms at a time.
    uniqueIndex('dsa_proposals_one_pending').on(t.reference).where(sql`state = 'pending'`),
    index('dsa_proposals_state').on(t.state),
  ],
);

/** Each party's answer to a proposal, on the record: who, when, through which channel. */
export const dsaDecisions = sqliteTable(
  'dsa_decisions',
  {
    proposalId: integer('proposal_id')
      .notNull()
      .references(() => dsaProposals.id),
    orgSlug: text('org_slug')
      .notNull()
      .references(() => organisations.slug),
    decision: text('decision', { enum: ['accepted', 'declined'] }).notNull(),
    bySub: text('by_sub').notNull(),
    via: text('via', { enum: ['api', 'web', 'cli', 'seed', 'migration'] }).notNull(),
    at: text('at').notNull(),
    note: text('note'),
  },
  (t) => [primaryKey({ columns: [t.proposalId, t.orgSlug] })],
);
