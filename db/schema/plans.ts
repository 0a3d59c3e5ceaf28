import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { Governance, PlanContent, PlanLocation, Subject } from '../../src/plans/core/content.js';

/** Timestamps are ISO-8601 UTC strings from the app's clock; dates are `YYYY-MM-DD`. */

export const organisations = sqliteTable('organisations', {
  slug: text('slug').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['mental-health', 'police', 'ambulance', 'emergency-department'] }).notNull(),
  /** OIDC issuer (`iss`) whose tokens speak for this organisation; null = only the dev issuer. */
  issuer: text('issuer'),
  /** That issuer's token signing keys: an https URL of the key set, or the key set itself as JSON; never a path (src/plans/jwks.ts). */
  jwks: text('jwks'),
  /**
   * A claim the issuer vouches for that names this organisation (e.g. an ODS code), and its expected value:
   * required on every organisation whose issuer another organisation also uses (issue 20).
   */
  orgClaim: text('org_claim'),
  orgCode: text('org_code'),
  /** What a responder is told to do when this organisation's plan is withdrawn (team phone etc). */
  contact: text('contact'),
  /** Who the person writes to about their data (the trust's data-protection officer); never the crisis line. */
  dataProtectionContact: text('data_protection_contact'),
  createdAt: text('created_at').notNull(),
  /** Set when an administrator disables the organisation: its people can no longer sign in or use tokens. */
  disabledAt: text('disabled_at'),
});

export const dataSharingAgreements = sqliteTable('data_sharing_agreements', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  reference: text('reference').notNull().unique(),
  validFrom: text('valid_from').notNull(),
  validTo: text('valid_to').notNull(),
  createdAt: text('created_at').notNull(),
  /** Ended early by an administrator: no read relies on it from this moment, whatever validTo says. */
  endedAt: text('ended_at'),
  endReason: text('end_reason'),
});

export const dsaParties = sqliteTable(
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

export const plans = sqliteTable(
  'plans',
  {
    id: text('id').primaryKey(),
    owningOrg: text('owning_org')
      .notNull()
      .references(() => organisations.slug),
    externalRef: text('external_ref').notNull(),
    /** The published version responders see; null before first publish and after withdrawal. */
    currentVersionId: integer('current_version_id'),
    withdrawnAt: text('withdrawn_at'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('plans_org_ref').on(t.owningOrg, t.externalRef)],
);

export const versionStatuses = ['draft', 'in-review', 'published', 'superseded', 'withdrawn'] as const;
export type VersionStatus = (typeof versionStatuses)[number];

export const planVersions = sqliteTable(
  'plan_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id),
    version: integer('version').notNull(),
    status: text('status', { enum: versionStatuses }).notNull(),
    subject: text('subject', { mode: 'json' }).$type<Subject>().notNull(),
    locations: text('locations', { mode: 'json' }).$type<PlanLocation[]>().notNull(),
    content: text('content', { mode: 'json' }).$type<PlanContent>().notNull(),
    governance: text('governance', { mode: 'json' }).$type<Governance>().notNull(),
    /** sha256 of the canonical record: an unchanged re-import is a no-op. */
    contentHash: text('content_hash').notNull(),
    reviewBy: text('review_by').notNull(),
    changeSummary: text('change_summary'),
    /** Everyone who wrote or edited this version: none of them may approve it. */
    authors: text('authors', { mode: 'json' }).$type<string[]>().notNull(),
    /** The published version this draft was written from; approval fails if the plan has moved on. */
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

/** The workflow's own history: who submitted, approved, rejected (with comment), withdrew. */
export const workflowEvents = sqliteTable(
  'workflow_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    planId: text('plan_id').notNull(),
    versionId: integer('version_id').notNull(),
    action: text('action', {
      enum: ['created', 'edited', 'submitted', 'approved', 'rejected', 'withdrawn', 'imported', 'superseded'],
    }).notNull(),
    actor: text('actor').notNull(),
    actorOrg: text('actor_org').notNull(),
    at: text('at').notNull(),
    comment: text('comment'),
    /**
     * The version's content hash at this step: what was submitted, returned, or approved. An approval names
     * the hash its approver read (workflow.ts approve), so this is the record of what they saw.
     */
    contentHash: text('content_hash'),
  },
  (t) => [index('workflow_events_version').on(t.versionId)],
);

/**
 * The search change log: one entry per change to what responders can find, in commit order (appended
 * under one lock: src/plans/versions/store.ts appendSearchLogIn). Entries only name a plan; every index
 * (each node's Meilisearch, the fallback) applies them from its own cursor (`search_cursors`) by re-reading
 * the plan, so applying one twice is harmless. Pruned once every live cursor has passed it.
 */
export const searchOutbox = sqliteTable('search_outbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  planId: text('plan_id').notNull(),
  createdAt: text('created_at').notNull(),
});
