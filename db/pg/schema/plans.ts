import { bigint, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { Governance, PlanContent, PlanLocation, Subject } from '../../../src/plans/core/content.js';
import { versionStatuses } from '../../schema/plans.js';

/**
 * The PostgreSQL twin of db/schema/plans.ts: same exports, property names and SQL names, and the same JS
 * values back (test/db/pg-schema.test.ts holds the two together). Timestamps stay ISO text, as on SQLite,
 * so a value reads and compares the same on either store. The comments on each column live in the SQLite
 * file; only what differs is said here.
 */

export const organisations = pgTable('organisations', {
  slug: text('slug').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['mental-health', 'police', 'ambulance', 'emergency-department'] }).notNull(),
  issuer: text('issuer'),
  jwks: text('jwks'),
  orgClaim: text('org_claim'),
  orgCode: text('org_code'),
  contact: text('contact'),
  dataProtectionContact: text('data_protection_contact'),
  createdAt: text('created_at').notNull(),
  disabledAt: text('disabled_at'),
});

export const dataSharingAgreements = pgTable('data_sharing_agreements', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  reference: text('reference').notNull().unique(),
  validFrom: text('valid_from').notNull(),
  validTo: text('valid_to').notNull(),
  createdAt: text('created_at').notNull(),
  endedAt: text('ended_at'),
  endReason: text('end_reason'),
});

export const dsaParties = pgTable(
  'dsa_parties',
  {
    dsaId: integer('dsa_id')
      .notNull()
      .references(() => dataSharingAgreements.id),
    orgSlug: text('org_slug')
      .notNull()
      .references(() => organisations.slug),
  },
  (t) => [primaryKey({ columns: [t.dsaId, t.orgSlug] }), index('dsa_parties_org').on(t.orgSlug)],
);

export const plans = pgTable(
  'plans',
  {
    id: text('id').primaryKey(),
    owningOrg: text('owning_org')
      .notNull()
      .references(() => organisations.slug),
    externalRef: text('external_ref').notNull(),
    currentVersionId: integer('current_version_id'),
    withdrawnAt: text('withdrawn_at'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('plans_org_ref').on(t.owningOrg, t.externalRef)],
);

export { versionStatuses, type VersionStatus } from '../../schema/plans.js';

export const planVersions = pgTable(
  'plan_versions',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id),
    version: integer('version').notNull(),
    status: text('status', { enum: versionStatuses }).notNull(),
    subject: jsonb('subject').$type<Subject>().notNull(),
    locations: jsonb('locations').$type<PlanLocation[]>().notNull(),
    content: jsonb('content').$type<PlanContent>().notNull(),
    governance: jsonb('governance').$type<Governance>().notNull(),
    contentHash: text('content_hash').notNull(),
    reviewBy: text('review_by').notNull(),
    changeSummary: text('change_summary'),
    authors: jsonb('authors').$type<string[]>().notNull(),
    baseVersionId: integer('base_version_id'),
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    submittedBy: text('submitted_by'),
    submittedAt: text('submitted_at'),
    approvedBy: text('approved_by'),
    publishedAt: text('published_at'),
    supersededAt: text('superseded_at'),
    withdrawnBy: text('withdrawn_by'),
    withdrawnAt: text('withdrawn_at'),
    withdrawReason: text('withdraw_reason'),
  },
  (t) => [uniqueIndex('plan_versions_plan_version').on(t.planId, t.version), index('plan_versions_status').on(t.status)],
);

export const workflowEvents = pgTable(
  'workflow_events',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    planId: text('plan_id').notNull(),
    versionId: integer('version_id').notNull(),
    action: text('action', {
      enum: ['created', 'edited', 'submitted', 'approved', 'rejected', 'withdrawn', 'imported', 'superseded'],
    }).notNull(),
    actor: text('actor').notNull(),
    actorOrg: text('actor_org').notNull(),
    at: text('at').notNull(),
    comment: text('comment'),
    contentHash: text('content_hash'),
  },
  (t) => [index('workflow_events_version').on(t.versionId)],
);

/** The search change log (db/schema/plans.ts). Positions keep climbing as long as the service runs: bigint. */
export const searchOutbox = pgTable('search_outbox', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  planId: text('plan_id').notNull(),
  createdAt: text('created_at').notNull(),
});
