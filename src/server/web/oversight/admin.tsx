import { Hono, type Context } from 'hono';
import {
  addOrganisationGoverned,
  changeOrganisation,
  disableOrganisation,
  enableOrganisation,
  listOrganisationsView,
  organisationPatchSchema,
  organisationView,
  reasonSchema,
} from '../../../plans/governance/governance.js';
import { authoriseOperatorAct, type OperatorAct } from '../../../plans/policy.js';
import { configureOidcGoverned, setOidcEnabledGoverned } from '../../../plans/governance/oidc.js';
import { governanceOverview } from '../../../plans/governance/summary.js';
import { pendingFor } from '../../../plans/governance/agreements.js';
import { getOidcConfig, oidcConfigInputSchema, sealClientSecret, type OidcConfig } from '../../../plans/oidc-config.js';
import { getOrganisation, newOrganisationSchema } from '../../../plans/organisations.js';
import type { FieldError } from '../../../ui/components/forms.js';
import {
  AdminHomePage,
  ConfirmPage,
  NewOrganisationPage,
  OrganisationPage,
  OrganisationsPage,
  type OidcForm,
  type OrgForm,
} from '../../../ui/pages/oversight/admin.js';
import type { Failure } from '../../../plans/core/result.js';
import { OversightRefusedPage } from '../../../ui/pages/oversight/common.js';
import type { AppServices, WebEnv } from '../../context.js';
import { page, requireSignedIn, whoOf } from '../shared.js';
import { failureStatus, issuesToErrors, pageWith, text } from './form-input.js';
import { adminsOnly, operatorOf, oversightForms } from './guards.js';
import { agreementPageRoutes } from './agreements.js';

/** `/admin`: the governance overview and the register of organisations. Every change is a governance event (domain). */
const notices: Record<string, string> = {
  added: 'Organisation added.',
  changed: 'Changes saved and recorded in the access log.',
  disabled: 'Organisation disabled: its people can no longer sign in or use tokens.',
  enabled: 'Organisation enabled again.',
  oidc: 'Sign-in settings saved.',
  'oidc-on': 'Web sign-in switched on.',
  'oidc-off': 'Web sign-in switched off.',
};
const orgFields = ['slug', 'name', 'kind', 'contact', 'dataProtectionContact', 'issuer', 'jwks', 'orgClaim', 'orgCode', 'reason'] as const;
const oidcFields: Record<keyof OidcForm | 'clientSecret', string> = {
  issuer: 'oidc-issuer',
  clientId: 'oidc-client-id',
  clientSecret: 'oidc-client-secret',
  rolesClaim: 'oidc-roles-claim',
  roleMap: 'oidc-role-map',
  scopes: 'oidc-scopes',
  orgClaim: 'oidc-org-claim',
  orgCode: 'oidc-org-code',
};
const labels: Record<string, string> = {
  slug: 'Short name',
  name: 'Full name',
  kind: 'Kind',
  contact: 'Contact',
  dataProtectionContact: 'Data-protection contact',
  issuer: 'Token issuer',
  jwks: 'Token signing keys',
  orgClaim: 'Organisation claim',
  orgCode: 'Organisation value',
  reason: 'Why',
  'oidc-org-claim': 'Organisation claim',
  'oidc-org-code': 'Organisation value',
  'oidc-issuer': 'Provider issuer URL',
  'oidc-client-id': 'Client ID',
  'oidc-client-secret': 'Client secret',
  'oidc-roles-claim': 'Roles claim',
  'oidc-role-map': 'Role map',
  'oidc-scopes': 'Scopes',
};
const label = (f: string) => labels[f] ?? f;
/** The domain's own field for a refusal (its `errors`), else `fallback`. */
const fieldOfFailure = (r: Failure, fallback: string, map: (path: string) => string | undefined = (p) => p) =>
  map((r.extra?.errors as { path: string }[] | undefined)?.[0]?.path ?? '') ?? fallback;
const notFound = (c: Context<WebEnv>) =>
  page(c, <OversightRefusedPage who={whoOf(c)} title="Not found" detail="There is no such organisation." />, 404);

export function adminPageRoutes(services: AppServices) {
  const deps = { db: services.db, log: services.accessLog, clock: services.clock };
  const guard = [requireSignedIn, adminsOnly] as const;
  const forms = oversightForms(services);
  const formOf = async (c: Context) => {
    const body = await c.req.parseBody();
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, text(v).slice(0, 1000)])) as Record<string, string>;
  };
  const orgForm = (v: Partial<Record<string, string | null>>): OrgForm =>
    Object.fromEntries(orgFields.map((f) => [f, v[f] ?? ''])) as OrgForm;
  const oidcFormOf = (o: OidcConfig | undefined): OidcForm => {
    return {
      issuer: o?.issuer ?? '',
      clientId: o?.clientId ?? '',
      rolesClaim: o?.rolesClaim ?? 'roles',
      scopes: o?.scopes ?? 'openid profile',
      roleMap: o
        ? Object.entries(o.roleMap)
            .map(([k, r]) => `${k}=${r}`)
            .join(',')
        : '',
      orgClaim: o?.orgClaim ?? '',
      orgCode: o?.orgCode ?? '',
    };
  };

  /** The organisation's page, with whatever was typed into one of its forms and that form's errors. */
  const may = (c: Context<WebEnv>, act: OperatorAct) => authoriseOperatorAct(operatorOf(c), act).ok;
  const refused = (c: Context<WebEnv>, detail: string) =>
    page(c, <OversightRefusedPage who={whoOf(c)} title="Not for administrators" detail={detail} />, 403);

  async function orgPage(
    c: Context<WebEnv>,
    slug: string,
    status: number,
    over: { form?: OrgForm; oidcForm?: OidcForm; errors?: FieldError[]; notice?: string } = {},
  ) {
    const found = await getOrganisation(services.db, slug);
    if (!found) return notFound(c);
    const org = organisationView(found);
    const oidc = await getOidcConfig(services.db, slug);
    return pageWith(
      c,
      <OrganisationPage
        who={whoOf(c)}
        org={org}
        oidc={oidc}
        form={over.form ?? orgForm({ ...org, reason: '' })}
        oidcForm={over.oidcForm ?? oidcFormOf(oidc)}
        errors={over.errors ?? []}
        notice={over.notice}
        redirectUri={`${services.publicBaseUrl}/auth/callback`}
        may={{ changeKind: may(c, 'change-kind'), enable: may(c, 'enable-organisation') }}
      />,
      status,
    );
  }

  return new Hono<WebEnv>()
    .get('/admin', ...guard, async (c) => {
      const day = services.clock().toISOString().slice(0, 10);
      const names = new Map((await listOrganisationsView(services.db)).map((o) => [o.slug, o.name]));
      const waiting = { pending: await pendingFor(services.db, c.var.actor!.org, day), names };
      return page(c, <AdminHomePage who={whoOf(c)} overview={await governanceOverview(services.db, services.clock())} waiting={waiting} />);
    })
    .get('/admin/organisations', ...guard, async (c) =>
      page(
        c,
        <OrganisationsPage
          who={whoOf(c)}
          organisations={await listOrganisationsView(services.db)}
          notice={notices[c.req.query('done') ?? '']}
          mayAdd={may(c, 'add-organisation')}
        />,
      ),
    )
    .get('/admin/organisations/new', ...guard, (c) => {
      const allowed = authoriseOperatorAct(operatorOf(c), 'add-organisation');
      if (!allowed.ok) return refused(c, allowed.detail);
      return page(c, <NewOrganisationPage who={whoOf(c)} form={orgForm({ kind: 'mental-health' })} errors={[]} />);
    })
    .post('/admin/organisations', forms, ...guard, async (c) => {
      const v = await formOf(c);
      const input = Object.fromEntries(['slug', 'name', 'kind', 'contact'].filter((k) => v[k]).map((k) => [k, v[k]]));
      const parsed = newOrganisationSchema.safeParse(input);
      const again = (errors: FieldError[], status: number) =>
        pageWith(c, <NewOrganisationPage who={whoOf(c)} form={orgForm(v)} errors={errors} />, status);
      // Never the form again for someone the policy refuses (a well-formed request is refused, and logged, by the domain).
      const allowed = authoriseOperatorAct(operatorOf(c), 'add-organisation');
      if (!parsed.success && !allowed.ok) return refused(c, allowed.detail);
      if (!parsed.success)
        return again(
          issuesToErrors(parsed.error.issues, (p) => p || 'slug', label),
          400,
        );
      const r = await addOrganisationGoverned(deps, operatorOf(c), parsed.data);
      if (!r.ok && r.code === 'forbidden') return refused(c, r.detail);
      if (!r.ok) return again([{ field: r.code === 'conflict' ? 'slug' : 'name', message: r.detail }], failureStatus(r.code));
      return c.redirect('/admin/organisations?done=added', 303);
    })
    .get('/admin/organisations/:slug', ...guard, (c) =>
      orgPage(c, c.req.param('slug'), 200, { notice: notices[c.req.query('done') ?? ''] }),
    )
    .post('/admin/organisations/:slug', forms, ...guard, async (c) => {
      const slug = c.req.param('slug');
      const before = await getOrganisation(services.db, slug);
      if (!before) return notFound(c);
      const v = await formOf(c);
      // Only what the form changed: an empty optional field means "remove it".
      const patch: Record<string, unknown> = { reason: v.reason || undefined };
      // A field the form did not send is left alone (a hand-made post with no fields is a 400, not a 500).
      if (v.name !== undefined && v.name !== before.name) patch.name = v.name;
      // The form offers no kind (policy: the operator's); a kind posted anyway goes to the domain, which refuses it.
      if (v.kind && v.kind !== before.kind) patch.kind = v.kind;
      for (const k of ['contact', 'dataProtectionContact', 'issuer', 'jwks', 'orgClaim', 'orgCode'] as const)
        if (v[k] !== undefined && (v[k] || null) !== before[k]) patch[k] = v[k] || null;
      const parsed = organisationPatchSchema.safeParse(patch);
      const again = (errors: FieldError[], status: number) => orgPage(c, slug, status, { form: orgForm(v), errors });
      if (!parsed.success)
        return again(
          issuesToErrors(parsed.error.issues, (p) => p || 'name', label),
          400,
        );
      const r = await changeOrganisation(deps, operatorOf(c), slug, parsed.data);
      if (!r.ok)
        return again(
          [{ field: fieldOfFailure(r, 'name', (p) => ((orgFields as readonly string[]).includes(p) ? p : undefined)), message: r.detail }],
          failureStatus(r.code),
        );
      return c.redirect(`/admin/organisations/${slug}?done=changed`, 303);
    })
    .post('/admin/organisations/:slug/oidc', forms, ...guard, async (c) => {
      const slug = c.req.param('slug');
      const v = await formOf(c);
      const typed: OidcForm = {
        issuer: v['oidc-issuer'] ?? '',
        clientId: v['oidc-client-id'] ?? '',
        rolesClaim: v['oidc-roles-claim'] ?? '',
        roleMap: v['oidc-role-map'] ?? '',
        scopes: v['oidc-scopes'] ?? '',
        orgClaim: v['oidc-org-claim'] ?? '',
        orgCode: v['oidc-org-code'] ?? '',
      };
      const again = (errors: FieldError[], status: number) => orgPage(c, slug, status, { oidcForm: typed, errors });
      const secret = v['oidc-client-secret'] ?? '';
      const parsed = oidcConfigInputSchema.safeParse({
        org: slug,
        issuer: typed.issuer,
        clientId: typed.clientId,
        rolesClaim: typed.rolesClaim || undefined,
        roleMap: typed.roleMap || undefined,
        scopes: typed.scopes || undefined,
        orgClaim: typed.orgClaim || undefined,
        orgCode: typed.orgCode || undefined,
      });
      const errors = parsed.success
        ? []
        : issuesToErrors(parsed.error.issues, (p) => oidcFields[p as keyof typeof oidcFields] ?? 'oidc-issuer', label);
      if (!secret && !(await getOidcConfig(services.db, slug)))
        errors.push({ field: 'oidc-client-secret', message: 'Client secret: enter the secret the provider gave for this client' });
      if (errors.length || !parsed.success) return again(errors, 400);
      if (secret && !services.secrets)
        return again(
          [
            {
              field: 'oidc-client-secret',
              message: 'This service has no secrets key (KEYS_DIR) to keep the secret with; use the command line (org oidc).',
            },
          ],
          503,
        );
      // Left empty: the stored secret is kept (the domain says when a new one is needed).
      const r = await configureOidcGoverned(
        deps,
        operatorOf(c),
        parsed.data,
        secret ? sealClientSecret(services.secrets!, slug, secret) : undefined,
      );
      if (!r.ok)
        return again(
          [{ field: fieldOfFailure(r, 'oidc-issuer', (p) => oidcFields[p as keyof typeof oidcFields]), message: r.detail }],
          failureStatus(r.code),
        );
      return c.redirect(`/admin/organisations/${slug}?done=oidc`, 303);
    })
    .post('/admin/organisations/:slug/oidc/enabled', forms, ...guard, async (c) => {
      const slug = c.req.param('slug');
      const on = (await formOf(c)).enabled === 'on';
      const r = await setOidcEnabledGoverned(deps, operatorOf(c), slug, on);
      if (!r.ok) return orgPage(c, slug, failureStatus(r.code), { errors: [{ field: 'oidc-issuer', message: r.detail }] });
      return c.redirect(`/admin/organisations/${slug}?done=${on ? 'oidc-on' : 'oidc-off'}`, 303);
    })
    .get('/admin/organisations/:slug/disable', ...guard, (c) => disablePage(c, c.req.param('slug'), '', [], 200))
    .post('/admin/organisations/:slug/disable', forms, ...guard, async (c) => {
      const slug = c.req.param('slug');
      const v = await formOf(c);
      const parsed = reasonSchema.safeParse({ reason: v.reason ?? '' });
      if (!parsed.success)
        return disablePage(
          c,
          slug,
          v.reason ?? '',
          issuesToErrors(parsed.error.issues, () => 'reason', label),
          400,
        );
      const r = await disableOrganisation(deps, operatorOf(c), slug, parsed.data);
      if (!r.ok) return disablePage(c, slug, v.reason ?? '', [{ field: 'reason', message: r.detail }], failureStatus(r.code));
      return c.redirect(`/admin/organisations/${slug}?done=disabled`, 303);
    })
    .post('/admin/organisations/:slug/enable', forms, ...guard, async (c) => {
      // Not offered to administrators (the policy keeps it for the operator); the domain refuses it here too.
      const slug = c.req.param('slug');
      const v = await formOf(c);
      const parsed = reasonSchema.safeParse({ reason: v.reason ?? '' });
      if (!parsed.success && may(c, 'enable-organisation'))
        return orgPage(c, slug, 400, { errors: issuesToErrors(parsed.error.issues, () => 'reason', label) });
      const r = await enableOrganisation(deps, operatorOf(c), slug, parsed.success ? parsed.data : { reason: '' });
      if (!r.ok && r.code === 'forbidden') return refused(c, r.detail);
      if (!r.ok) return orgPage(c, slug, failureStatus(r.code), { errors: [{ field: 'reason', message: r.detail }] });
      return c.redirect(`/admin/organisations/${slug}?done=enabled`, 303);
    })
    .route('/', agreementPageRoutes(services));

  async function disablePage(c: Context<WebEnv>, slug: string, reason: string, errors: FieldError[], status: number) {
    const org = await getOrganisation(services.db, slug);
    if (!org) return notFound(c);
    return pageWith(
      c,
      <ConfirmPage
        who={whoOf(c)}
        title={`Disable ${org.name}`}
        consequence={`Everyone at ${org.name} loses access at once: their sign-ins and tokens are refused, and no agreement can add them. Only the operator of this service can enable it again.`}
        action={`/admin/organisations/${slug}/disable`}
        button="Disable organisation"
        reason={reason}
        errors={errors}
        back={`/admin/organisations/${slug}`}
      />,
      status,
    );
  }
}
