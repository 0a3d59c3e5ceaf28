import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { plans, planVersions } from './plans.js';

/**
 * Patient-held plan cards. Only hashes of the QR token and of the typed-in code are kept: a stolen
 * database cannot print a working card, and the person's card says nothing about them.
 */
export const planCards = sqliteTable(
  'plan_cards',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id),
    /** sha256 (hex) of the QR token. */
    tokenHash: text('token_hash').notNull(),
    /** sha256 (hex) of the short code, normalised (upper case, no separators, with its check character). */
    codeHash: text('code_hash').notNull(),
    issuedBy: text('issued_by').notNull(),
    issuedAt: text('issued_at').notNull(),
    /** When the card stops working: null while current; in the future during a replacement's grace period. */
    revokedAt: text('revoked_at'),
    revokedBy: text('revoked_by'),
  },
  (t) => [
    uniqueIndex('plan_cards_token').on(t.tokenHash),
    uniqueIndex('plan_cards_code').on(t.codeHash),
    index('plan_cards_plan').on(t.planId),
  ],
);

/**
 * Each copy of the plan printed for the person to keep (the operational guide: the person holds an
 * up-to-date copy of their most recent plan, on paper or as a summary without identifying details).
 * The console compares the latest row with the published version to prompt a reprint. Append-only.
 */
export const personCopies = sqliteTable(
  'person_copies',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id),
    /** The published version printed (its row), and its number as the person's copy shows it. */
    versionId: integer('version_id')
      .notNull()
      .references(() => planVersions.id),
    version: integer('version').notNull(),
    /** The summary without name, date of birth, NHS number or address (for sending by email). */
    withoutIdentifiers: integer('without_identifiers', { mode: 'boolean' }).notNull(),
    printedBy: text('printed_by').notNull(),
    printedAt: text('printed_at').notNull(),
  },
  (t) => [index('person_copies_plan').on(t.planId)],
);
