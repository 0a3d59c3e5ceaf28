import { z } from 'zod';
import type { Db } from '../../../db/index.js';
import { authoriseAdmin, authoriseOperatorAct, authoriseOrganisationChange, type Operator } from '../policy.js';
import { isoDate, orgKinds } from '../core/content.js';
import { issuerSchema, orgClaimName, orgCodeValue } from '../core/issuer.js';
import { issuerSharing } from '../oidc-config.js';
import { governed, type GovernanceDeps } from './log.js';
import {
  addOrganisation,
  agreementQueries,
  enableOrganisation as enableOrganisationRow,
  setOrganisationKind,
  getOrganisation,
  listOrganisations,
  type NewOrganisation,
  type Organisation,
} from '../organisations.js';
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
  .refine((p) => Object.entries(p).some(([k, v]) => k !== 'reason' && v !== undefined), { error: `change at least one of ${changeable.join(', ')}` })
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

type AgreementRow = Omit<AgreementView, 'parties' | 'state'> & { id: number; parties: string };

function agreementRows(db: Db, reference?: string): AgreementRow[] {
  return db.$client
    .prepare(
      `SELECT d.id, d.reference, d.valid_from AS validFrom, d.valid_to AS validTo, d.ended_at AS endedAt,
              d.end_reason AS endReason, d.created_at AS createdAt,
              (SELECT json_group_array(org_slug) FROM (SELECT org_slug FROM dsa_parties WHERE dsa_id = d.id ORDER BY org_slug)) AS parties
       FROM data_sharing_agreements d ${reference === undefined ? '' : 'WHERE d.reference = ?'} ORDER BY d.reference`,
    )
    .all(...(reference === undefined ? [] : [reference])) as AgreementRow[];
}

export const agreementState = (a: { validFrom: string; validTo: string; endedAt: string | null }, today: string): AgreementState =>
  a.endedAt ? 'ended' : a.validTo < today ? 'expired' : a.validFrom > today ? 'future' : 'in-force';

const present = (r: AgreementRow, today: string): AgreementView => {
  const { id: _id, parties, ...rest } = r;
  return { ...rest, parties: JSON.parse(parties) as string[], state: agreementState(r, today) };
};

export function listAgreements(db: Db, today: string, state?: AgreementState): AgreementView[] {
  return agreementRows(db)
    .map((r) => present(r, today))
    .filter((a) => !state || a.state === state);
}

export function getAgreement(db: Db, reference: string, today: string): AgreementView | undefined {
  const row = agreementRows(db, reference)[0];
  return row && present(row, today);
}

export const organisationView = (o: Organisation) => ({ ...o, state: o.disabledAt ? ('disabled' as const) : ('active' as const) });
export type OrganisationView = ReturnType<typeof organisationView>;

export function listOrganisationsView(db: Db): OrganisationView[] {
  return listOrganisations(db)
    .sort((a, b) => a.slug.localeCompare(b.slug))
    .map(organisationView);
}

/** Who can see whose plans today: for each organisation, the owners whose plans it may read (its own included). */
export function sharingMatrix(db: Db, today: string) {
  const q = agreementQueries(db);
  const orgs = listOrganisationsView(db);
  return {
    day: today,
    organisations: orgs.map((o) => ({ slug: o.slug, name: o.name, kind: o.kind, state: o.state })),
    canSee: Object.fromEntries(orgs.map((o) => [o.slug, o.disabledAt ? [] : q.visibleOwners(o.slug, today)])),
  };
}

export function addOrganisationGoverned(deps: GovernanceDeps, op: Operator, org: NewOrganisation): Promise<Result<OrganisationView>> {
  return governed(deps, op, { op: 'organisation.add', target: org.slug }, () => {
    const allowed = authoriseOperatorAct(op, 'add-organisation');
    if (!allowed.ok) return allowed;
    const keys = jwksProblem(org.issuer, org.jwks);
    if (keys) return fail('invalid', keys, { errors: [{ path: 'jwks', message: keys }] });
    if (getOrganisation(deps.db, org.slug)) return fail('conflict', `organisation "${org.slug}" already exists`);
    if (org.issuer) {
      const shared = issuerSharing(deps.db, { org: org.slug, via: 'bearer', issuer: org.issuer, orgClaim: org.orgClaim ?? null, orgCode: org.orgCode ?? null });
      if (!shared.ok) return shared;
    }
    const { slug: _s, ...changes } = org;
    return ok({
      orgs: [org.slug],
      changes,
      apply: () => {
        const r = addOrganisation(deps.db, org, deps.clock());
        return r.ok ? ok(organisationView(r.value)) : r;
      },
    });
  });
}

export function changeOrganisation(deps: GovernanceDeps, op: Operator, slug: string, patch: OrganisationPatch): Promise<Result<OrganisationView>> {
  return governed(deps, op, { op: 'organisation.change', target: slug }, () => {
    const before = getOrganisation(deps.db, slug);
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
      return fail('invalid', 'give both the organisation claim and its value, or neither', { errors: [{ path: after.orgClaim === null ? 'orgClaim' : 'orgCode', message: 'needed with the other' }] });
    }
    if (after.issuer) {
      const shared = issuerSharing(deps.db, { org: slug, via: 'bearer', issuer: after.issuer, orgClaim: after.orgClaim, orgCode: after.orgCode });
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
      apply: () => {
        // Compare-and-set: the record must still be the one the change was worked out from.
        if (JSON.stringify(getOrganisation(deps.db, slug)) !== JSON.stringify(before)) return fail('conflict', 'the organisation was changed meanwhile; reload and try again');
        deps.db.$client
          .prepare('UPDATE organisations SET name = @name, kind = @kind, contact = @contact, data_protection_contact = @dp, issuer = @issuer, jwks = @jwks, org_claim = @orgClaim, org_code = @orgCode WHERE slug = @slug')
          .run({ name: after.name, kind: after.kind, contact: after.contact, dp: after.dataProtectionContact, issuer: after.issuer, jwks: after.jwks, orgClaim: after.orgClaim, orgCode: after.orgCode, slug });
        return ok(organisationView(getOrganisation(deps.db, slug)!));
      },
    });
  });
}

export function disableOrganisation(deps: GovernanceDeps, op: Operator, slug: string, body: { reason: string }): Promise<Result<OrganisationView>> {
  return governed(deps, op, { op: 'organisation.disable', target: slug }, () => {
    const before = getOrganisation(deps.db, slug);
    if (!before) return fail('not_found', `no organisation "${slug}"`);
    const allowed = authoriseOrganisationChange(op, slug);
    if (!allowed.ok) return allowed;
    if (before.disabledAt) return fail('conflict', `organisation "${slug}" is already disabled`);
    const at = deps.clock().toISOString();
    return ok({
      orgs: [slug],
      changes: { disabledAt: at },
      reason: body.reason,
      apply: () => {
        const r = deps.db.$client.prepare('UPDATE organisations SET disabled_at = ? WHERE slug = ? AND disabled_at IS NULL').run(at, slug);
        return r.changes === 1 ? ok(organisationView(getOrganisation(deps.db, slug)!)) : fail('conflict', `organisation "${slug}" is already disabled`);
      },
    });
  });
}

/**
 * The operator changes what kind of organisation this is (what its people see, whether they have emergency
 * access). Tokens and sessions already issued follow at once: the authenticator reads the kind from the
 * register, whose cache the read-cache epoch empties on this update.
 */
export function changeOrganisationKind(deps: GovernanceDeps, op: Operator, slug: string, body: z.infer<typeof kindChangeSchema>): Promise<Result<OrganisationView>> {
  return governed(deps, op, { op: 'organisation.kind', target: slug }, () => {
    const allowed = authoriseOperatorAct(op, 'change-kind');
    if (!allowed.ok) return allowed;
    const before = getOrganisation(deps.db, slug);
    if (!before) return fail('not_found', `no organisation "${slug}"`);
    if (before.kind === body.kind) return fail('conflict', `${slug} is already ${body.kind}`);
    return ok({
      orgs: [slug],
      changes: { kind: { from: before.kind, to: body.kind } },
      reason: body.reason,
      apply: () =>
        setOrganisationKind(deps.db, slug, before.kind, body.kind)
          ? ok(organisationView(getOrganisation(deps.db, slug)!))
          : fail('conflict', `${slug}'s kind was changed meanwhile`),
    });
  });
}

/** The operator re-admits a disabled organisation: its people's tokens and sign-ins work again. */
export function enableOrganisation(deps: GovernanceDeps, op: Operator, slug: string, body: { reason: string }): Promise<Result<OrganisationView>> {
  return governed(deps, op, { op: 'organisation.enable', target: slug }, () => {
    const before = getOrganisation(deps.db, slug);
    if (!before) return fail('not_found', `no organisation "${slug}"`);
    const allowed = authoriseOperatorAct(op, 'enable-organisation');
    if (!allowed.ok) return allowed;
    if (!before.disabledAt) return fail('conflict', `organisation "${slug}" is not disabled`);
    return ok({
      orgs: [slug],
      changes: { disabledAt: { from: before.disabledAt, to: null } },
      reason: body.reason,
      apply: () =>
        enableOrganisationRow(deps.db, slug) ? ok(organisationView(getOrganisation(deps.db, slug)!)) : fail('conflict', `organisation "${slug}" was enabled meanwhile`),
    });
  });
}
