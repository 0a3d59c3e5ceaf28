import { bigint, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { organisations } from './plans.js';

export const organisationOidc = pgTable('organisation_oidc', {
  orgSlug: text('org_slug')
    .primaryKey()
    .references(() => organisations.slug),
  issuer: text('issuer').notNull(),
  clientId: text('client_id').notNull(),
  clientSecretCiphertext: text('client_secret_ciphertext'),
  clientSecretKeyId: text('client_secret_key_id'),
  clientSecretFile: text('client_secret_file'),
  rolesClaim: text('roles_claim').notNull(),
  roleMap: text('role_map').notNull(),
  scopes: text('scopes').notNull(),
  /** 0 or 1, a number as on SQLite (a plain integer there, not a boolean column). */
  enabled: integer('enabled').notNull(),
  orgClaim: text('org_claim'),
  orgCode: text('org_code'),
  updatedAt: text('updated_at').notNull(),
});

/** Times here are epoch milliseconds, past 2^31 long ago: bigint. */
export const webSessions = pgTable(
  'web_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    actorSub: text('actor_sub').notNull(),
    actorOrg: text('actor_org').notNull(),
    actorOrgKind: text('actor_org_kind').notNull(),
    actorRoles: text('actor_roles').notNull(),
    method: text('method').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    lastSeenAt: bigint('last_seen_at', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    purpose: text('purpose'),
    purposeAt: bigint('purpose_at', { mode: 'number' }),
    idToken: text('id_token'),
  },
  (t) => [index('web_sessions_expires').on(t.expiresAt)],
);

export const pendingSignIns = pgTable('pending_sign_ins', {
  stateHash: text('state_hash').primaryKey(),
  bindingHash: text('binding_hash').notNull(),
  orgSlug: text('org_slug').notNull(),
  nonce: text('nonce').notNull(),
  codeVerifier: text('code_verifier').notNull(),
  returnTo: text('return_to').notNull(),
  expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
});
