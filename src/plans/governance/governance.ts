import { z } from 'zod';
import type { Store } from '../../../db/runtime.js';
import { authoriseOperatorAct, authoriseOrganisationChange, type Operator } from '../policy.js';
import { isoDate, orgKinds } from '../core/content.js';
import { issuerSchema, orgClaimName, orgCodeValue } from '../core/issuer.js';
import { issuerSharing, issuerSharingIn, lockIssuers } from '../oidc-config.js';
import { governed, type GovernanceDeps } from './log.js';
import {
  addOrganisationIn,
  agreementQueries,
  getOrganisation,
  listOrganisations,
  lockOrganisation,
  type NewOrganisation,
  type Organisation,
} from '../organisations.js';
import { organisationRow, setDisabled, setEnabled, setKind, updateOrganisation } from '../organisation-store.js';
import { listAgreementRows, type AgreementRow } from './agreement-store.js';
import { fail, ok, type Result } from '../core/result.js';
import { jwksProblem, jwksSchema } from '../jwks.js';

/** Administrators' operations on the register of organisations and data-sharing agreements (issue 14). */

const reason = z.string().trim().min(3, 'say why (at least 3 characters)').max(500);

const organisationPatchFields = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  /** Accepted only so that trying it is a clear 403 (operator-only), not an unknown field. */
  kind: z.enum(orgKinds).optional(),
  contact: z.string().trim().min(1).max(300).nullable().optional(),
  /** Where the person writes about their data (the access report says it); the crisis line is not that. */
  dataProtectionContact: z.string().trim().min(1).max(300).nullable().optional(),
  issuer: issuerSchema.nullable().optional(),
  jwks: jwksSchema.nullable().optional(),
  orgClaim: orgClaimName.nullable().optional(),
  orgCode: orgCodeValue.nullable().optional(),
  reason: reason.optional(),
});
const changeable = Object.keys(organisationPatchFields.shape).filter((k) => k !== 'reason');
export const organisationPatchSchema = organisationPatchFields
  .refine((p) => Object.entries(p).some(([k, v]) => k !== 'reason' && v !== undefined), {
    error: `change at least one of ${changeable.join(', ')}`,
  })
  .meta({ description: `At least one of ${changeable.join(', ')}.`, anyOf: changeable.map((k) => ({ required: [k] })) });
export type OrganisationPatch = z.infer<typeof organisationPatchSchema>;

export const reasonSchema = z.strictObject({ reason });
export const kindChangeSchema = z.strictObject({ kind: z.enum(orgKinds), reason });
export const extendAgreementSchema = z.strictObject({ to: isoDate, reason });

export const agreementStates = ['in-force', 'expired', 'ended', 'future'] as const;
export type AgreementState = (typeof agreementStates)[number];

/** An agreement whose terms every party accepted (proposals are governance/agreements.ts). */
export const agreementViewSchema = z.strictObject({
  reference: z.string(),
  parties: z.array(z.string()),
  validFrom: z.string(),
  validTo: z.string(),
  state: z.enum(agreementStates),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
  createdAt: z.string(),
});
export type AgreementView = z.infer<typeof agreementViewSchema>;

export const agreementState = (a: { validFrom: string; validTo: string; endedAt: string | null }, today: string): AgreementState =>
  a.endedAt ? 'ended' : a.validTo < today ? 'expired' : a.validFrom > today ? 'future' : 'in-force';

export const presentAgreement = (r: AgreementRow, today: string): AgreementView => {
  const { id: _id, ...rest } = r;
  return { ...rest, state: agreementState(r, today) };
};

export async function listAgreements(db: Store, today: string, state?: AgreementState): Promise<AgreementView[]> {
  return (await listAgreementRows(db)).map((r) => presentAgreement(r, today)).filter((a) => !state || a.state === state);
}

export async function getAgreement(db: Store, reference: string, today: string): Promise<AgreementView | undefined> {
  const row = (await listAgreementRows(db, reference))[0];
  return row && presentAgreement(row, today);
}

export const organisationView = (o: Organisation) => ({ ...o, state: o.disabledAt ? ('disabled' as const) : ('active' as const) });
export type OrganisationView = ReturnType<typeof organisationView>;

export async function listOrganisationsView(db: Store): Promise<OrganisationView[]> {
  return (await listOrganisations(db)).sort((a, b) => a.slug.localeCompare(b.slug)).map(organisationView);
}

/** Who can see whose plans today: for each organisation, the owners whose plans it may read (its own included). */
export async function sharingMatrix(db: Store, today: string) {
  const q = agreementQueries(db);
  const orgs = await listOrganisationsView(db);
  const canSee: [string, string[]][] = [];
  for (const o of orgs) canSee.push([o.slug, o.disabledAt ? [] : await q.visibleOwners(o.slug, today)]);
  return {
    day: today,
    organisations: orgs.map((o) => ({ slug: o.slug, name: o.name, kind: o.kind, state: o.state })),
    canSee: Object.fromEntries(canSee),
  };
}

export function addOrganisationGoverned(deps: GovernanceDeps, op: Operator, org: NewOrganisation): Promise<Result<OrganisationView>> {
  const { db } = deps;
  const use = org.issuer
    ? { org: org.slug, via: 'bearer' as const, issuer: org.issuer, orgClaim: org.orgClaim ?? null, orgCode: org.orgCode ?? null }
    : undefined;
  return governed(deps, op, { op: 'organisation.add', target: org.slug }, async () => {
    const allowed = authoriseOperatorAct(op, 'add-organisation');
    if (!allowed.ok) return allowed;
    const keys = jwksProblem(org.issuer, org.jwks);
    if (keys) return fail('invalid', keys, { errors: [{ path: 'jwks', message: keys }] });
    if (await getOrganisation(db, org.slug)) return fail('conflict', `organisation "${org.slug}" already exists`);
    if (use) {
      const shared = await issuerSharing(db, use);
      if (!shared.ok) return shared;
    }
    const { slug: _s, ...changes } = org;
    return ok({
      orgs: [org.slug],
      changes,
      *apply(q) {
        if (use) {
          // Another organisation may have joined the issuer since the check above.
          yield* lockIssuers();
          const shared = yield* issuerSharingIn(db, q, use);
          if (!shared.ok) return shared;
        }
        const r = yield* addOrganisationIn(db, q, org, deps.clock());
        return r.ok ? ok(organisationView(r.value)) : r;
      },
    });
  });
}

export function changeOrganisation(
  deps: GovernanceDeps,
  op: Operator,
  slug: string,
  patch: OrganisationPatch,
): Promise<Result<OrganisationView>> {
  const { db } = deps;
  return governed(deps, op, { op: 'organisation.change', target: slug }, async () => {
    const before = await getOrganisation(db, slug);
    if (!before) return fail('not_found', `no organisation "${slug}"`);
    const allowed = authoriseOrganisationChange(op, slug);
    if (!allowed.ok) return allowed;
    if (patch.kind !== undefined) {
      const operatorOnly = authoriseOperatorAct(op, 'change-kind');
      if (!operatorOnly.ok) return operatorOnly;
    }
    const { reason: why, ...given } = patch;
    // A key present but undefined changes nothing (it must not blank a required column).
    const fields = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as typeof given;
    const after = { ...before, ...fields };
    const keys = jwksProblem(after.issuer, after.jwks);
    if (keys) return fail('invalid', keys, { errors: [{ path: 'jwks', message: keys }] });
    if ((after.orgClaim === null) !== (after.orgCode === null)) {
      return fail('invalid', 'give both the organisation claim and its value, or neither', {
        errors: [{ path: after.orgClaim === null ? 'orgClaim' : 'orgCode', message: 'needed with the other' }],
      });
    }
    const use = after.issuer
      ? { org: slug, via: 'bearer' as const, issuer: after.issuer, orgClaim: after.orgClaim, orgCode: after.orgCode }
      : undefined;
    if (use) {
      const shared = await issuerSharing(db, use);
      if (!shared.ok) return shared;
    }
    const changes = Object.fromEntries(
      Object.entries(fields)
        .filter(([k, v]) => before[k as keyof Organisation] !== v)
        .map(([k, v]) => [k, { from: before[k as keyof Organisation], to: v }]),
    );
    if (Object.keys(changes).length === 0) return fail('conflict', 'nothing to change: the record already says that');
    return ok({
      orgs: [slug],
      changes,
      reason: why,
      *apply(q) {
        if (use) {
          yield* lockIssuers();
          const shared = yield* issuerSharingIn(db, q, use);
          if (!shared.ok) return shared;
        }
        yield* lockOrganisation(slug);
        // Compare-and-set: the record must still be the one the change was worked out from.
        if (JSON.stringify(yield* organisationRow(db, q, slug)) !== JSON.stringify(before))
          return fail('conflict', 'the organisation was changed meanwhile; reload and try again');
        const { name, kind, contact, dataProtectionContact, issuer, jwks, orgClaim, orgCode } = after;
        yield* updateOrganisation(db, q, slug, { name, kind, contact, dataProtectionContact, issuer, jwks, orgClaim, orgCode });
        return ok(organisationView((yield* organisationRow(db, q, slug))!));
      },
    });
  });
}

export function disableOrganisation(
  deps: GovernanceDeps,
  op: Operator,
  slug: string,
  body: { reason: string },
): Promise<Result<OrganisationView>> {
  const { db } = deps;
  return governed(deps, op, { op: 'organisation.disable', target: slug }, async () => {
    const before = await getOrganisation(db, slug);
    if (!before) return fail('not_found', `no organisation "${slug}"`);
    const allowed = authoriseOrganisationChange(op, slug);
    if (!allowed.ok) return allowed;
    if (before.disabledAt) return fail('conflict', `organisation "${slug}" is already disabled`);
    const at = deps.clock().toISOString();
    return ok({
      orgs: [slug],
      changes: { disabledAt: at },
      reason: body.reason,
      *apply(q) {
        yield* lockOrganisation(slug);
        if (!(yield* setDisabled(db, q, slug, at))) return fail('conflict', `organisation "${slug}" is already disabled`);
        return ok(organisationView((yield* organisationRow(db, q, slug))!));
      },
    });
  });
}

/**
 * The operator changes what kind of organisation this is (what its people see, whether they have emergency
 * access). Tokens and sessions already issued follow at once: the authenticator reads the kind from the
 * register, whose cache the read-cache epoch empties on this update.
 */
export function changeOrganisationKind(
  deps: GovernanceDeps,
  op: Operator,
  slug: string,
  body: z.infer<typeof kindChangeSchema>,
): Promise<Result<OrganisationView>> {
  const { db } = deps;
  return governed(deps, op, { op: 'organisation.kind', target: slug }, async () => {
    const allowed = authoriseOperatorAct(op, 'change-kind');
    if (!allowed.ok) return allowed;
    const before = await getOrganisation(db, slug);
    if (!before) return fail('not_found', `no organisation "${slug}"`);
    if (before.kind === body.kind) return fail('conflict', `${slug} is already ${body.kind}`);
    return ok({
      orgs: [slug],
      changes: { kind: { from: before.kind, to: body.kind } },
      reason: body.reason,
      *apply(q) {
        yield* lockOrganisation(slug);
        if (!(yield* setKind(db, q, slug, before.kind, body.kind))) return fail('conflict', `${slug}'s kind was changed meanwhile`);
        return ok(organisationView((yield* organisationRow(db, q, slug))!));
      },
    });
  });
}

/** The operator re-admits a disabled organisation: its people's tokens and sign-ins work again. */
export function enableOrganisation(
  deps: GovernanceDeps,
  op: Operator,
  slug: string,
  body: { reason: string },
): Promise<Result<OrganisationView>> {
  const { db } = deps;
  return governed(deps, op, { op: 'organisation.enable', target: slug }, async () => {
    const before = await getOrganisation(db, slug);
    if (!before) return fail('not_found', `no organisation "${slug}"`);
    const allowed = authoriseOperatorAct(op, 'enable-organisation');
    if (!allowed.ok) return allowed;
    if (!before.disabledAt) return fail('conflict', `organisation "${slug}" is not disabled`);
    return ok({
      orgs: [slug],
      changes: { disabledAt: { from: before.disabledAt, to: null } },
      reason: body.reason,
      *apply(q) {
        yield* lockOrganisation(slug);
        if (!(yield* setEnabled(db, q, slug))) return fail('conflict', `organisation "${slug}" was enabled meanwhile`);
        return ok(organisationView((yield* organisationRow(db, q, slug))!));
      },
    });
  });
}
