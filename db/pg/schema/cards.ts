import { boolean, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { plans, planVersions } from './plans.js';

export const planCards = pgTable(
  'plan_cards',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id),
    tokenHash: text('token_hash').notNull(),
    codeHash: text('code_hash').notNull(),
    issuedBy: text('issued_by').notNull(),
    issuedAt: text('issued_at').notNull(),
    revokedAt: text('revoked_at'),
    revokedBy: text('revoked_by'),
  },
  (t) => [
    uniqueIndex('plan_cards_token').on(t.tokenHash),
    uniqueIndex('plan_cards_code').on(t.codeHash),
    index('plan_cards_plan').on(t.planId),
  ],
);

/** Append-only (the migration's hand-written triggers), as on SQLite. */
export const personCopies = pgTable(
  'person_copies',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id),
    versionId: integer('version_id')
      .notNull()
      .references(() => planVersions.id),
    version: integer('version').notNull(),
    withoutIdentifiers: boolean('without_identifiers').notNull(),
    printedBy: text('printed_by').notNull(),
    printedAt: text('printed_at').notNull(),
  },
  (t) => [index('person_copies_plan').on(t.planId)],
);
