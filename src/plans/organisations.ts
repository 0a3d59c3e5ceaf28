import { z } from 'zod';
import { lock, type Body, type Q, type Store } from '../../db/runtime.js';
import { agreementLookups, recordAcceptedAgreement } from './governance/agreement-store.js';
import {
  allOrganisations,
  findOrganisation,
  insertOrganisation,
  knownSlugs,
  organisationRow,
  organisationSummaries,
  type OrganisationRow,
  type OrganisationSummary,
} from './organisation-store.js';
import { anyOidc, oidcSlugs } from './oidc-store.js';
import { isoDate, orgKinds, slugSchema } from './core/content.js';
import { issuerSchema, orgClaimName, orgCodeValue } from './core/issuer.js';
import type { ReadCache } from './versions/read-cache.js';
import { fail, ok, type Result } from './core/result.js';
import { jwksProblem, jwksSchema } from './jwks.js';

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
  .refine((o) => (o.orgClaim === undefined) === (o.orgCode === undefined), {
    error: 'give both the organisation claim and its value, or neither',
    path: ['orgCode'],
  })
  .meta({
    description: 'An organisation with an `issuer` needs its `jwks`; `orgClaim` and `orgCode` go together.',
    dependentRequired: { issuer: ['jwks'], orgClaim: ['orgCode'], orgCode: ['orgClaim'] },
  });
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

export type Organisation = OrganisationRow;

/** Serialises changes to one organisation's record (read, decide, write) on PostgreSQL as on SQLite. */
export const lockOrganisation = (slug: string) => lock(`organisation:${slug}`);

/** Inside a transaction: adds the organisation unless its slug is taken. */
export function* addOrganisationIn(db: Store, q: Q, org: NewOrganisation, now: Date): Body<Result<Organisation>> {
  const keys = jwksProblem(org.issuer, org.jwks);
  if (keys) return fail('invalid', keys, { errors: [{ path: 'jwks', message: keys }] });
  yield* lockOrganisation(org.slug);
  if (yield* organisationRow(db, q, org.slug)) return fail('conflict', `organisation "${org.slug}" already exists`);
  const row = {
    ...org,
    issuer: org.issuer ?? null,
    jwks: org.jwks ?? null,
    contact: org.contact ?? null,
    dataProtectionContact: org.dataProtectionContact ?? null,
    orgClaim: org.orgClaim ?? null,
    orgCode: org.orgCode ?? null,
  };
  yield* insertOrganisation(db, q, { ...row, createdAt: now.toISOString() });
  return ok({ ...row, createdAt: now.toISOString(), disabledAt: null });
}

export function addOrganisation(db: Store, org: NewOrganisation, now: Date): Promise<Result<Organisation>> {
  return db.tx((q) => addOrganisationIn(db, q, org, now));
}

export const getOrganisation = (db: Store, slug: string): Promise<Organisation | undefined> => findOrganisation(db, slug);

/** Every organisation, by slug. */
export const listOrganisations = (db: Store): Promise<Organisation[]> => allOrganisations(db);

/**
 * Records an agreement every party has already accepted (their signed copies held), in force at once:
 * the demo seed and test fixtures only. Agreements from the API, the pages and the CLI are proposals
 * until each party accepts (governance/agreements.ts).
 */
export async function addDataSharingAgreement(db: Store, dsa: NewDsa, now: Date): Promise<Result<{ reference: string }>> {
  const parties = [...new Set(dsa.parties)].sort();
  if (parties.length < 2) return fail('invalid', 'an agreement needs at least two different parties');
  const known = await knownSlugs(db, parties);
  const unknown = parties.filter((p) => !known.includes(p));
  if (unknown.length) return fail('invalid', `unknown organisation(s): ${unknown.join(', ')}`);
  if (!(await recordAcceptedAgreement(db, { ...dsa, parties }, now.toISOString(), 'seed')))
    return fail('conflict', `agreement "${dsa.reference}" already exists`);
  return ok({ reference: dsa.reference });
}

/**
 * What every read asks of the register: is there an agreement, valid on `day`, naming both organisations
 * (`agreementInForce`); whose plans may `org` see (`visibleOwners`); an organisation's kind, name and
 * contact. Prepared once per store (the statements are in the stores); the read path and search ask them
 * through the read cache (cachedAgreements).
 */
export function agreementQueries(db: Store) {
  const agreements = agreementLookups(db);
  const summary = organisationSummaries(db);
  return {
    agreementInForce: (orgA: string, orgB: string, day: string): Promise<string | undefined> => agreements.inForce(orgA, orgB, day),
    /** Every organisation whose plans `org` may see today (its own included): the search scope. */
    async visibleOwners(org: string, day: string): Promise<string[]> {
      const set = new Set(await agreements.partners(org, day));
      set.add(org);
      return [...set].sort();
    },
    organisation: (slug: string): Promise<OrganisationSummary | undefined> => summary(slug),
  };
}
export type AgreementQueries = ReturnType<typeof agreementQueries>;

/**
 * The same answers from the read cache (fewer queries), for the responder's read path and search. The
 * caller validates the cache (`await cache.validate()`) before the look-ups. A look-up that missed keeps its
 * answer only if the cache was not emptied while it was being read (a change committed meanwhile):
 * otherwise an answer read before the change could outlive it.
 */
export function cachedAgreements(queries: AgreementQueries, cache: ReadCache): AgreementQueries {
  // Emptied with every other map when the epoch moves: a look-up that finds its token gone lost the race.
  const generation = cache.map<'now', object>(1);
  const current = () => generation.get('now') ?? generation.set('now', {});
  function memo<V>(limit: number) {
    const m = cache.map<string, V>(limit);
    return async (key: string, load: () => Promise<V>): Promise<V> => {
      if (m.has(key)) return m.get(key) as V;
      const token = current();
      const v = await load();
      if (generation.get('now') === token) m.set(key, v);
      return v;
    };
  }
  const inForce = memo<string | undefined>(10_000);
  const orgs = memo<OrganisationSummary | undefined>(1_000);
  const owners = memo<string[]>(1_000);
  return {
    agreementInForce: (orgA, orgB, day) => inForce(`${orgA}|${orgB}|${day}`, () => queries.agreementInForce(orgA, orgB, day)),
    organisation: (slug) => orgs(slug, () => queries.organisation(slug)),
    visibleOwners: (org, day) => owners(`${org}|${day}`, () => queries.visibleOwners(org, day)),
  };
}

/** The organisations whose people sign in through their own OpenID provider. */
export const oidcOrganisations = (db: Store): Promise<string[]> => oidcSlugs(db);

/** Whether any organisation has an identity provider of its own: an issuer for bearer tokens or an OpenID provider. */
export async function anyIdentityProvider(db: Store): Promise<boolean> {
  return (await listOrganisations(db)).some((o) => o.issuer !== null) || (await anyOidc(db));
}
