import { eq, inArray } from 'drizzle-orm';
import { recordAcceptedAgreement } from './governance/agreement-store.js';
import { z } from 'zod';
import { schema, type Db } from '../../db/index.js';
import { isoDate, orgKinds, slugSchema, type OrgKind } from './core/content.js';
import { issuerSchema, orgClaimName, orgCodeValue } from './core/issuer.js';
import type { ReadCache } from './versions/read-cache.js';
import { fail, ok, type Result } from './core/result.js';
import { jwksProblem, jwksSchema } from './jwks.js';

const { organisations } = schema;

export const newOrganisationSchema = z
  .strictObject({
    slug: slugSchema,
    name: z.string().trim().min(1).max(200),
    kind: z.enum(orgKinds),
    issuer: issuerSchema.optional(),
    jwks: jwksSchema.optional(),
    contact: z.string().trim().min(1).max(300).optional(),
    /** Where the person writes about their data (the access report says it); the crisis line is not that. */
    dataProtectionContact: z.string().trim().min(1).max(300).optional(),
    /** With `issuer`: the token claim naming the organisation and its value (needed when the issuer is shared). */
    orgClaim: orgClaimName.optional(),
    orgCode: orgCodeValue.optional(),
  })
  .refine((o) => (o.orgClaim === undefined) === (o.orgCode === undefined), { error: 'give both the organisation claim and its value, or neither', path: ['orgCode'] })
  .meta({ description: 'An organisation with an `issuer` needs its `jwks`; `orgClaim` and `orgCode` go together.', dependentRequired: { issuer: ['jwks'], orgClaim: ['orgCode'], orgCode: ['orgClaim'] } });
export type NewOrganisation = z.infer<typeof newOrganisationSchema>;

export const newDsaSchema = z
  .strictObject({
    reference: z.string().trim().min(1).max(100),
    parties: z.array(slugSchema).min(2, 'an agreement needs at least two parties'),
    validFrom: isoDate,
    validTo: isoDate,
  })
  .refine((d) => d.validFrom <= d.validTo, { error: 'validTo must not be before validFrom', path: ['validTo'] })
  // JSON Schema cannot compare two fields: said in words, and as an x- keyword the API checker reads.
  .meta({ description: '`validTo` is the same day as `validFrom` or later.', 'x-date-order': ['validFrom', 'validTo'] });
export type NewDsa = z.infer<typeof newDsaSchema>;

export type Organisation = typeof organisations.$inferSelect;

export function addOrganisation(db: Db, org: NewOrganisation, now: Date): Result<Organisation> {
  const keys = jwksProblem(org.issuer, org.jwks);
  if (keys) return fail('invalid', keys, { errors: [{ path: 'jwks', message: keys }] });
  const existing = db.select().from(organisations).where(eq(organisations.slug, org.slug)).get();
  if (existing) return fail('conflict', `organisation "${org.slug}" already exists`);
  const row = { ...org, issuer: org.issuer ?? null, jwks: org.jwks ?? null, contact: org.contact ?? null, dataProtectionContact: org.dataProtectionContact ?? null, orgClaim: org.orgClaim ?? null, orgCode: org.orgCode ?? null };
  db.insert(organisations).values({ ...row, createdAt: now.toISOString() }).run();
  return ok({ ...row, createdAt: now.toISOString(), disabledAt: null });
}

export function getOrganisation(db: Db, slug: string): Organisation | undefined {
  return db.select().from(organisations).where(eq(organisations.slug, slug)).get();
}

export function listOrganisations(db: Db): Organisation[] {
  return db.select().from(organisations).all();
}

/** Compare-and-set on the record's kind: false if it was no longer `from`. */
export function setOrganisationKind(db: Db, slug: string, from: OrgKind, to: OrgKind): boolean {
  return db.$client.prepare('UPDATE organisations SET kind = ? WHERE slug = ? AND kind = ?').run(to, slug, from).changes === 1;
}

/** Re-admits a disabled organisation: false if it was not disabled (any more). */
export function enableOrganisation(db: Db, slug: string): boolean {
  return db.$client.prepare('UPDATE organisations SET disabled_at = NULL WHERE slug = ? AND disabled_at IS NOT NULL').run(slug).changes === 1;
}

/**
 * Records an agreement every party has already accepted (their signed copies held), in force at once:
 * the demo seed and test fixtures only. Agreements from the API, the pages and the CLI are proposals
 * until each party accepts (governance/agreements.ts).
 */
export function addDataSharingAgreement(db: Db, dsa: NewDsa, now: Date): Result<{ reference: string }> {
  const parties = [...new Set(dsa.parties)].sort();
  if (parties.length < 2) return fail('invalid', 'an agreement needs at least two different parties');
  const known = db
    .select({ slug: organisations.slug })
    .from(organisations)
    .where(inArray(organisations.slug, parties))
    .all()
    .map((r) => r.slug);
  const unknown = parties.filter((p) => !known.includes(p));
  if (unknown.length) return fail('invalid', `unknown organisation(s): ${unknown.join(', ')}`);
  if (!recordAcceptedAgreement(db, { ...dsa, parties }, now.toISOString(), 'seed')) return fail('conflict', `agreement "${dsa.reference}" already exists`);
  return ok({ reference: dsa.reference });
}

/**
 * The agreement checks sit on every read, so they are prepared once per database and take plain values.
 * `agreementInForce` answers: is there an agreement, valid on `day`, naming both organisations? The
 * table holds only terms every party accepted (proposals wait in `dsa_proposals`), so none of these
 * look-ups can count a proposal.
 */
export function agreementQueries(db: Db) {
  const inForce = db.$client.prepare<[string, string, string, string], { reference: string }>(
    `SELECT d.reference FROM dsa_parties a
       JOIN dsa_parties b ON b.dsa_id = a.dsa_id
       JOIN data_sharing_agreements d ON d.id = a.dsa_id
     WHERE a.org_slug = ? AND b.org_slug = ? AND d.valid_from <= ? AND d.valid_to >= ? AND d.ended_at IS NULL
     LIMIT 1`,
  );
  const partners = db.$client.prepare<[string, string, string], { slug: string }>(
    `SELECT DISTINCT b.org_slug AS slug FROM dsa_parties a
       JOIN dsa_parties b ON b.dsa_id = a.dsa_id
       JOIN data_sharing_agreements d ON d.id = a.dsa_id
     WHERE a.org_slug = ? AND d.valid_from <= ? AND d.valid_to >= ? AND d.ended_at IS NULL`,
  );
  const orgKind = db.$client.prepare<[string], { kind: OrgKind; contact: string | null; name: string }>(
    'SELECT kind, contact, name FROM organisations WHERE slug = ?',
  );
  return {
    agreementInForce(orgA: string, orgB: string, day: string): string | undefined {
      return inForce.get(orgA, orgB, day, day)?.reference;
    },
    /** Every organisation whose plans `org` may see today (its own included): the search scope. */
    visibleOwners(org: string, day: string): string[] {
      const set = new Set(partners.all(org, day, day).map((r) => r.slug));
      set.add(org);
      return [...set].sort();
    },
    organisation(slug: string) {
      return orgKind.get(slug);
    },
  };
}
export type AgreementQueries = ReturnType<typeof agreementQueries>;

/**
 * The same answers from the read cache (fewer queries), for the responder's read path and search. The
 * caller validates the cache (`await cache.validate()`) before the look-ups.
 */
export function cachedAgreements(queries: AgreementQueries, cache: ReadCache): AgreementQueries {
  const inForce = cache.map<string, string | undefined>(10_000);
  const orgs = cache.map<string, ReturnType<AgreementQueries['organisation']>>(1_000);
  const owners = cache.map<string, string[]>(1_000);
  return {
    ...queries,
    agreementInForce(orgA, orgB, day) {
      const key = `${orgA}|${orgB}|${day}`;
      return inForce.has(key) ? inForce.get(key) : inForce.set(key, queries.agreementInForce(orgA, orgB, day));
    },
    organisation(slug) {
      return orgs.has(slug) ? orgs.get(slug) : orgs.set(slug, queries.organisation(slug));
    },
    visibleOwners(org, day) {
      const key = `${org}|${day}`;
      return owners.get(key) ?? owners.set(key, queries.visibleOwners(org, day));
    },
  };
}

/** The organisations whose people sign in through their own OpenID provider. */
export function oidcOrganisations(db: Db): string[] {
  return db.select({ slug: schema.organisationOidc.orgSlug }).from(schema.organisationOidc).all().map((r) => r.slug);
}

/**
 * Whether any organisation has an identity provider of its own (an issuer for bearer tokens or an OpenID
 * provider for web sign-in): either one is a reason to re-check the development issuer.
 */
export function anyIdentityProvider(db: Db): boolean {
  return listOrganisations(db).some((o) => o.issuer !== null) || db.select().from(schema.organisationOidc).limit(1).get() !== undefined;
}
