import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { organisations } from './plans.js';

export const dsaProposals = pgTable(
  'dsa_proposals',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    reference: text('reference').notNull(),
    kind: text('kind', { enum: ['new', 'change'] }).notNull(),
    /** A JSON array of slugs, kept as the text it was written as (as on SQLite). */
    parties: text('parties').notNull(),
    validFrom: text('valid_from').notNull(),
    validTo: text('valid_to').notNull(),
    reason: text('reason'),
    proposedByOrg: text('proposed_by_org').notNull(),
    proposedBySub: text('proposed_by_sub').notNull(),
    proposedAt: text('proposed_at').notNull(),
    state: text('state', { enum: ['pending', 'accepted', 'declined', 'lapsed'] }).notNull(),
    decidedAt: text('decided_at'),
    outcomeNote: text('outcome_note'),
  },
  (t) => [uniqueIndex('dsa_proposals_one_pending').on(t.reference).where(sql`state = 'pending'`), index('dsa_proposals_state').on(t.state)],
);

export const dsaDecisions = pgTable(
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
