import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Db } from '../../db/index.js';
import { roles as knownRoles, type Role } from './core/actor.js';
import { slugSchema } from './core/content.js';
import { getOrganisation } from './organisations.js';
import { fail, ok, type Result } from './core/result.js';

const { organisationOidc, organisations } = schema;

const loopback = (host: string) => {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
};

/** Plain http would let anyone on the path forge sign-ins: only for a provider on this machine (tests, trials). */
const issuerSchema = z.url().refine(
  (s) => {
    const u = new URL(s);
    return u.protocol === 'https:' || (u.protocol === 'http:' && loopback(u.hostname));
  },
  { error: 'must be https (http only on a loopback address)' },
);

/** `a=r,b=r2`: the provider's values (group names, app roles) → this service's roles. */
const roleMapSchema = z
  .string()
  .transform((s, ctx) => {
    const map: Record<string, Role> = {};
    for (const pair of s.split(',').map((p) => p.trim()).filter(Boolean)) {
      const eqAt = pair.lastIndexOf('=');
      const from = pair.slice(0, eqAt).trim();
      const to = pair.slice(eqAt + 1).trim();
      if (eqAt <= 0 || !(knownRoles as readonly string[]).includes(to)) {
        ctx.addIssue({ code: 'custom', message: `"${pair}" is not idp-value=role with role one of ${knownRoles.join(', ')}` });
        return z.NEVER;
      }
      map[from] = to as Role;
    }
    return map;
  });

export const oidcConfigInputSchema = z.strictObject({
  org: slugSchema,
  issuer: issuerSchema,
  clientId: z.string().trim().min(1).max(300),
  clientSecretFile: z.string().min(1),
  rolesClaim: z.string().trim().min(1).max(100).default('roles'),
  roleMap: roleMapSchema.default({}),
  scopes: z
    .string()
    .trim()
    .default('openid profile')
    .refine((s) => s.split(/\s+/).includes('openid'), { error: 'must include openid' }),
  enabled: z.boolean().default(true),
});
export type OidcConfigInput = z.input<typeof oidcConfigInputSchema>;

export type OidcConfig = {
  org: string;
  orgName: string;
  issuer: string;
  clientId: string;
  clientSecretFile: string;
  rolesClaim: string;
  roleMap: Record<string, Role>;
  scopes: string;
  enabled: boolean;
};

/** Adds or replaces an organisation's provider. */
export function configureOidc(db: Db, input: z.output<typeof oidcConfigInputSchema>, now: Date): Result<OidcConfig> {
  const org = getOrganisation(db, input.org);
  if (!org) return fail('not_found', `no organisation "${input.org}"`);
  const row = {
    orgSlug: input.org,
    issuer: input.issuer,
    clientId: input.clientId,
    clientSecretFile: input.clientSecretFile,
    rolesClaim: input.rolesClaim,
    roleMap: JSON.stringify(input.roleMap),
    scopes: input.scopes,
    enabled: input.enabled ? 1 : 0,
    updatedAt: now.toISOString(),
  };
  db.insert(organisationOidc).values(row).onConflictDoUpdate({ target: organisationOidc.orgSlug, set: row }).run();
  return ok(getOidcConfig(db, input.org)!);
}

/** Switches sign-in through the organisation's provider on or off, keeping its settings. */
export function setOidcEnabled(db: Db, slug: string, enabled: boolean, now: Date): Result<void> {
  const r = db
    .update(organisationOidc)
    .set({ enabled: enabled ? 1 : 0, updatedAt: now.toISOString() })
    .where(eq(organisationOidc.orgSlug, slug))
    .run();
  return r.changes ? ok(undefined) : fail('not_found', `organisation "${slug}" has no OpenID provider configured`);
}

type Row = typeof organisationOidc.$inferSelect & { orgName: string };
const fromRow = (r: Row): OidcConfig => ({
  org: r.orgSlug,
  orgName: r.orgName,
  issuer: r.issuer,
  clientId: r.clientId,
  clientSecretFile: r.clientSecretFile,
  rolesClaim: r.rolesClaim,
  roleMap: JSON.parse(r.roleMap) as Record<string, Role>,
  scopes: r.scopes,
  enabled: r.enabled === 1,
});

const selectRows = (db: Db) =>
  db
    .select({ ...tableColumns(), orgName: organisations.name })
    .from(organisationOidc)
    .innerJoin(organisations, eq(organisations.slug, organisationOidc.orgSlug));

function tableColumns() {
  const { orgSlug, issuer, clientId, clientSecretFile, rolesClaim, roleMap, scopes, enabled, updatedAt } = organisationOidc;
  return { orgSlug, issuer, clientId, clientSecretFile, rolesClaim, roleMap, scopes, enabled, updatedAt };
}

export function getOidcConfig(db: Db, slug: string): OidcConfig | undefined {
  const row = selectRows(db).where(eq(organisationOidc.orgSlug, slug)).get();
  return row ? fromRow(row) : undefined;
}

/** Every organisation with a provider, enabled or not, by name: the sign-in page's list. */
export function listOidcConfigs(db: Db): OidcConfig[] {
  return selectRows(db)
    .all()
    .map(fromRow)
    .sort((a, b) => a.orgName.localeCompare(b.orgName));
}

/**
 * The provider's claim → this service's roles. With a map, only mapped values count (a provider's
 * "admin" group is not this service's admin unless someone said so); without one, the claim must
 * carry the service's own role names.
 */
export function rolesFromClaim(value: unknown, roleMap: Record<string, Role>): Role[] {
  const values = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  const mapped = values
    .filter((v): v is string => typeof v === 'string')
    .map((v) => (Object.keys(roleMap).length ? roleMap[v] : (knownRoles as readonly string[]).includes(v) ? (v as Role) : undefined))
    .filter((r): r is Role => r !== undefined);
  return [...new Set(mapped)];
}
