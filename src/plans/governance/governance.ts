import { z } from 'zod';
import type { Db } from '../../../db/index.js';
import { authoriseAdmin, authoriseAgreementChange, authoriseOrganisationChange, type Operator } from '../policy.js';
import { isoDay } from '../core/clock.js';
import { isoDate, orgKinds } from '../core/content.js';
import { governed, type GovernanceDeps } from './log.js';
import {
  addDataSharingAgreement,
  addOrganisation,
  agreementQueries,
  getOrganisation,
  listOrganisations,
  type NewDsa,
  type NewOrganisation,
  type Organisation,
} from '../organisations.js';
import { fail, ok, type Result } from '../core/result.js';

/** Administrators' operations on the register of organisations and data-sharing agreements (issue 14). */

const reason = z.string().trim().min(3, 'say why (at least 3 characters)').max(500);

const organisationPatchFields = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  kind: z.enum(orgKinds).optional(),
  contact: z.string().trim().min(1).max(300).nullable().optional(),
  issuer: z.url().nullable().optional(),
  jwks: z.string().min(1).max(1000).nullable().optional(),
  reason: reason.optional(),
});
const changeable = Object.keys(organisationPatchFields.shape).filter((k) => k !== 'reason');
export const organisationPatchSchema = organisationPatchFields
  .refine((p) => Object.keys(p).some((k) => k !== 'reason'), { error: `change at least one of ${changeable.join(', ')}` })
  .meta({ description: `At least one of ${changeable.join(', ')}.`, anyOf: changeable.map((k) => ({ required: [k] })) });
export type OrganisationPatch = z.infer<typeof organisationPatchSchema>;

export const reasonSchema = z.strictObject({ reason });
export const extendAgreementSchema = z.strictObject({ to: isoDate, reason });

export const agreementStates = ['in-force', 'expired', 'ended', 'future'] as const;
export type AgreementState = (typeof agreementStates)[number];

export type AgreementView = {
  reference: string;
  parties: string[];
  validFrom: string;
  validTo: string;
  state: AgreementState;
  endedAt: string | null;
  endReason: string | null;
  createdAt: string;
};

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
    const allowed = authoriseAdmin(op);
    if (!allowed.ok) return allowed;
    if (org.issuer && !org.jwks) return fail('invalid', 'an organisation with an issuer needs its JWKS (URL or file)', { errors: [{ path: 'jwks', message: 'required with issuer' }] });
    if (getOrganisation(deps.db, org.slug)) return fail('conflict', `organisation "${org.slug}" already exists`);
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
    const { reason: why, ...fields } = patch;
    const after = { ...before, ...fields };
    if (after.issuer && !after.jwks) return fail('invalid', 'an organisation with an issuer needs its JWKS (URL or file)', { errors: [{ path: 'jwks', message: 'required with issuer' }] });
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
          .prepare('UPDATE organisations SET name = @name, kind = @kind, contact = @contact, issuer = @issuer, jwks = @jwks WHERE slug = @slug')
          .run({ name: after.name, kind: after.kind, contact: after.contact, issuer: after.issuer, jwks: after.jwks, slug });
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

export function addAgreement(deps: GovernanceDeps, op: Operator, dsa: NewDsa): Promise<Result<AgreementView>> {
  return governed(deps, op, { op: 'agreement.add', target: dsa.reference }, () => {
    const parties = [...new Set(dsa.parties)].sort();
    const allowed = authoriseAgreementChange(op, parties);
    if (!allowed.ok) return allowed;
    const disabled = parties.filter((p) => getOrganisation(deps.db, p)?.disabledAt);
    if (disabled.length) return fail('invalid', `disabled organisation(s) cannot join an agreement: ${disabled.join(', ')}`, { errors: [{ path: 'parties', message: 'disabled organisation' }] });
    if (getAgreement(deps.db, dsa.reference, isoDay(deps.clock()))) return fail('conflict', `agreement "${dsa.reference}" already exists`);
    return ok({
      orgs: parties,
      changes: { parties, validFrom: dsa.validFrom, validTo: dsa.validTo },
      apply: () => {
        const r = addDataSharingAgreement(deps.db, { ...dsa, parties }, deps.clock());
        return r.ok ? ok(getAgreement(deps.db, dsa.reference, isoDay(deps.clock()))!) : r;
      },
    });
  });
}

/** Ends an agreement now: reads relying on it stop at once (the read cache's epoch moves with the update). */
export function endAgreement(deps: GovernanceDeps, op: Operator, reference: string, body: { reason: string }): Promise<Result<AgreementView>> {
  return governed(deps, op, { op: 'agreement.end', target: reference }, () => {
    const today = isoDay(deps.clock());
    const before = getAgreement(deps.db, reference, today);
    if (!before) return fail('not_found', `no agreement "${reference}"`);
    const allowed = authoriseAgreementChange(op, before.parties);
    if (!allowed.ok) return allowed;
    if (before.state === 'ended') return fail('conflict', `agreement "${reference}" was already ended on ${before.endedAt}`);
    if (before.state === 'expired') return fail('conflict', `agreement "${reference}" already expired on ${before.validTo}`);
    const at = deps.clock().toISOString();
    return ok({
      orgs: before.parties,
      changes: { endedAt: at, validTo: before.validTo },
      reason: body.reason,
      apply: () => {
        const r = deps.db.$client
          .prepare('UPDATE data_sharing_agreements SET ended_at = ?, end_reason = ? WHERE reference = ? AND ended_at IS NULL')
          .run(at, body.reason, reference);
        return r.changes === 1 ? ok(getAgreement(deps.db, reference, today)!) : fail('conflict', `agreement "${reference}" was ended meanwhile`);
      },
    });
  });
}

export function extendAgreement(deps: GovernanceDeps, op: Operator, reference: string, body: { to: string; reason: string }): Promise<Result<AgreementView>> {
  return governed(deps, op, { op: 'agreement.extend', target: reference }, () => {
    const today = isoDay(deps.clock());
    const before = getAgreement(deps.db, reference, today);
    if (!before) return fail('not_found', `no agreement "${reference}"`);
    const allowed = authoriseAgreementChange(op, before.parties);
    if (!allowed.ok) return allowed;
    if (before.state === 'ended') return fail('conflict', `agreement "${reference}" was ended on ${before.endedAt}; record a new one instead`);
    if (body.to <= before.validTo) {
      return fail('invalid', `to must be after the current end date ${before.validTo}`, { errors: [{ path: 'to', message: `must be after ${before.validTo}` }] });
    }
    return ok({
      orgs: before.parties,
      changes: { validTo: { from: before.validTo, to: body.to } },
      reason: body.reason,
      apply: () => {
        const r = deps.db.$client
          .prepare('UPDATE data_sharing_agreements SET valid_to = ? WHERE reference = ? AND valid_to = ? AND ended_at IS NULL')
          .run(body.to, reference, before.validTo);
        return r.changes === 1 ? ok(getAgreement(deps.db, reference, today)!) : fail('conflict', `agreement "${reference}" was changed meanwhile`);
      },
    });
  });
}
