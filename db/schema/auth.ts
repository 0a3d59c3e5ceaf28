import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organisations } from './plans.js';

/**
 * An organisation's own OpenID provider for web sign-in (`org oidc`). The organisation a person signs
 * in to is the one that configured the issuer, never a claim in the provider's tokens.
 */
export const organisationOidc = sqliteTable('organisation_oidc', {
  orgSlug: text('org_slug')
    .primaryKey()
    .references(() => organisations.slug),
  issuer: text('issuer').notNull(),
  clientId: text('client_id').notNull(),
  /**
   * The client secret, AES-256-GCM under KEYS_DIR's secrets key (src/plans/keys/secrets.ts), bound to
   * org_slug: base64url of nonce, ciphertext and tag. Null only for a provider whose secret file from
   * before KEYS_DIR could not be read at start (client_secret_file): unusable until it is set again.
   */
  clientSecretCiphertext: text('client_secret_ciphertext'),
  /** Which secrets key sealed it (a digest of the key, never the key). */
  clientSecretKeyId: text('client_secret_key_id'),
  /** Before KEYS_DIR: the path of a 0600 file holding the secret. Read once at start, then cleared. */
  clientSecretFile: text('client_secret_file'),
  rolesClaim: text('roles_claim').notNull(),
  /** JSON object: provider value → service role. Empty: the claim carries the service's role names. */
  roleMap: text('role_map').notNull(),
  scopes: text('scopes').notNull(),
  /** 0: configured but switched off (`org oidc SLUG --disable`); sign-in attempts are refused and logged. */
  enabled: integer('enabled').notNull(),
  /** The ID token's claim naming the person's organisation, and this organisation's value in it (shared providers). */
  orgClaim: text('org_claim'),
  orgCode: text('org_code'),
  updatedAt: text('updated_at').notNull(),
});

/**
 * Web sessions, server-side so that sign-out and the idle timeout really end them. The browser holds a
 * random 256-bit id; only its SHA-256 is stored, so a copy of the database opens no session.
 */
export const webSessions = sqliteTable(
  'web_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    actorSub: text('actor_sub').notNull(),
    actorOrg: text('actor_org').notNull(),
    actorOrgKind: text('actor_org_kind').notNull(),
    /** JSON array of role names. */
    actorRoles: text('actor_roles').notNull(),
    /** `dev` (development issuer) or `oidc`. */
    method: text('method').notNull(),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    /** The earlier of SESSION_MAX_HOURS after sign-in and the provider's ID token expiry (epoch ms). */
    expiresAt: integer('expires_at').notNull(),
    purpose: text('purpose'),
    purposeAt: integer('purpose_at'),
    /** Kept only to end the provider's session too at sign-out (RP-initiated logout's id_token_hint). */
    idToken: text('id_token'),
  },
  (t) => [index('web_sessions_expires').on(t.expiresAt)],
);

/** Sign-ins under way: single use, ten minutes. Keyed by the hash of `state`; bound to the browser's cookie. */
export const pendingSignIns = sqliteTable('pending_sign_ins', {
  stateHash: text('state_hash').primaryKey(),
  bindingHash: text('binding_hash').notNull(),
  orgSlug: text('org_slug').notNull(),
  nonce: text('nonce').notNull(),
  codeVerifier: text('code_verifier').notNull(),
  returnTo: text('return_to').notNull(),
  expiresAt: integer('expires_at').notNull(),
});
