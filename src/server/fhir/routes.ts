import type { Bundle, BundleEntry, CarePlan, Resource } from '@medplum/fhirtypes';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { externalRefSchema, slugSchema } from '../../plans/core/content.js';
import { isoDay } from '../../plans/core/clock.js';
import { planAccessEvents, planEventsFilterSchema } from '../../plans/access-log/plan-events.js';
import type { ReadOutcome } from '../../plans/versions/read.js';
import type { Result } from '../../plans/core/result.js';
import { apiTrail } from '../access-trail/trail.js';
import type { AppEnv, AppServices } from '../context.js';
import { AppError, unwrap, zodFieldErrors } from '../errors.js';
import { requireActor } from '../auth/require-actor.js';
import { optionalPurpose, requirePurpose } from '../purpose.js';
import { noteServed, readOptions } from '../api/v1/plans/read-shared.js';
import { refLookupLimit, type AskedReference } from '../api/v1/plans/ref-limit.js';
import { concealedByReference } from '../../plans/policy.js';
import { securedResponse } from '../security-headers.js';
import { refuseUndecodableUrl } from '../url-text.js';
import { planIdParam } from '../validate.js';
import { auditEventOf } from './audit-event.js';
import { capabilityStatement } from './capability.js';
import { carePlanOf, revokedCarePlan } from './care-plan.js';
import { asOperationOutcome } from './operation-outcome.js';
import { FHIR_JSON, ORG_SYSTEM_PREFIX } from './systems.js';

const fhirJson = (resource: Resource) => securedResponse(JSON.stringify(resource), 200, FHIR_JSON);

/** FHIR search parameters may repeat, so they are read as lists; anything unsupported is a 400, not ignored. */
function searchParams<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  refuseUndecodableUrl(c.req.url, 'query');
  const parsed = schema.safeParse(c.req.queries());
  if (!parsed.success) {
    const errors = zodFieldErrors(parsed.error);
    throw new AppError('invalid', `invalid search: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors });
  }
  return parsed.data;
}

const one = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .length(1, 'give it exactly once')
    .transform((v) => v[0] as z.infer<T>);

const carePlanSearch = z.strictObject({
  identifier: one(
    z.string().transform((v, ctx) => {
      const bar = v.indexOf('|');
      const system = v.slice(0, bar);
      const slug = slugSchema.safeParse(system.slice(ORG_SYSTEM_PREFIX.length));
      const ref = externalRefSchema.safeParse(v.slice(bar + 1));
      if (bar < 0 || !system.startsWith(ORG_SYSTEM_PREFIX) || !slug.success || !ref.success) {
        ctx.addIssue({ code: 'custom', message: `must be ${ORG_SYSTEM_PREFIX}<organisation>|<external reference>` });
        return z.NEVER;
      }
      return { org: slug.data, externalRef: ref.data };
    }),
  ),
});

/** The identifier as asked, before validation, for the per-person limit on look-ups by reference. */
function askedIdentifier(c: Context): AskedReference {
  const v = c.req.queries('identifier')?.[0] ?? '';
  const bar = v.indexOf('|');
  return v.startsWith(ORG_SYSTEM_PREFIX) && bar > 0
    ? { org: v.slice(ORG_SYSTEM_PREFIX.length, bar), externalRef: v.slice(bar + 1) }
    : { org: '', externalRef: v };
}

const dateBound = z
  .string()
  .regex(/^(ge|le)\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2}))?$/, 'ge<date> or le<date>, dates as YYYY-MM-DD or full instants');
const auditEventSearch = z.strictObject({
  entity: one(z.string().regex(/^CarePlan\/[A-Za-z0-9_-]{16}$/, 'must be CarePlan/<planId>')),
  date: z.array(dateBound).max(2).optional(),
  _count: one(z.coerce.number().int().min(1).max(500)).optional(),
  _cursor: one(z.coerce.number().int().min(1)).optional(),
});

/** A whole day as given is inclusive at both ends, as in the JSON audit API. */
function dateFilter(dates: string[] = []) {
  const out: { from?: string; to?: string } = {};
  for (const d of dates) {
    const key = d.startsWith('ge') ? 'from' : 'to';
    if (out[key]) throw new AppError('invalid', `invalid search: date: at most one ${d.slice(0, 2)} bound`);
    const v = d.slice(2);
    out[key] = v.length > 10 ? v : `${v}${key === 'from' ? 'T00:00:00.000Z' : 'T23:59:59.999Z'}`;
  }
  return out;
}

// Views are cached and shared by the reader: map each to its CarePlan once.
const carePlans = new WeakMap<object, CarePlan>();
function carePlanFor(view: ReadOutcome['view']): CarePlan {
  let cp = carePlans.get(view);
  if (!cp) carePlans.set(view, (cp = carePlanOf(view)));
  return cp;
}

/**
 * The CarePlan for a read outcome, noting for the access event what was served. A withdrawn plan is
 * served as `revoked` with its owner's contact only, which is what the domain's refusal carries.
 */
function carePlanServed(c: Context<AppEnv>, result: Result<ReadOutcome>): CarePlan {
  if (!result.ok && result.code === 'gone') {
    c.set('access', { ...c.get('access'), planId: String(result.extra?.planId), reason: 'withdrawn: revoked CarePlan served' });
    return revokedCarePlan(String(result.extra?.planId), { name: result.extra?.owningOrg, contact: result.extra?.contact });
  }
  return carePlanFor(noteServed(c, result).view);
}

/** The access event names the plan asked for even when the request is refused before the handler runs. */
const notePlanParam: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('access', { planId: c.req.param('planId')?.slice(0, 100) ?? null, channel: 'fhir' });
  await next();
};

/**
 * FHIR R4, read-only, under /fhir/R4: the same authentication, purpose, per-plan and per-section
 * authorisation and access events (channel `fhir`) as the JSON API, through the same domain calls.
 */
export function fhirRoutes(services: AppServices) {
  const today = () => isoDay(services.clock());
  const base = () => `${services.publicBaseUrl}/fhir/R4`;
  const metadata = JSON.stringify(capabilityStatement(services.clock().toISOString()));
  const bundle = (c: Context, entries: BundleEntry[], next?: string): Bundle => ({
    resourceType: 'Bundle',
    type: 'searchset',
    ...(next ? {} : { total: entries.length }),
    link: [
      { relation: 'self', url: `${base()}${c.req.path.slice('/fhir/R4'.length)}${new URL(c.req.url).search}` },
      ...(next ? [{ relation: 'next', url: next }] : []),
    ],
    entry: entries,
  });
  const fhirTrail = (action: 'view' | 'audit-read') => apiTrail(services, action, 'fhir');

  return new Hono<AppEnv>()
    .use(asOperationOutcome)
    .get('/metadata', () => securedResponse(metadata, 200, FHIR_JSON))
    .get('/CarePlan/:planId', requireActor(services), fhirTrail('view'), notePlanParam, requirePurpose, async (c) => {
      const parsed = planIdParam.safeParse({ planId: c.req.param('planId') });
      if (!parsed.success) throw new AppError('invalid', 'not a plan id');
      return fhirJson(carePlanServed(c, await services.reader.byId(c.var.actor, parsed.data.planId, today(), readOptions(c))));
    })
    .get(
      '/CarePlan',
      requireActor(services),
      refLookupLimit(services, 'fhir', askedIdentifier),
      fhirTrail('view'),
      requirePurpose,
      async (c) => {
        const { identifier } = searchParams(c, carePlanSearch);
        const { org, externalRef } = identifier;
        const note = {
          planId: null,
          channel: 'fhir' as const,
          query: { identifier: `${ORG_SYSTEM_PREFIX}${org}|${externalRef}`, externalRef, org },
        };
        c.set('access', note);
        const result = await services.reader.byExternalRef(c.var.actor, org, externalRef, today(), readOptions(c));
        // A search that matches nothing is an empty searchset, not an error; one the caller may not read
        // answers the same, as the JSON API's 404 does (policy.ts), and only the access log says why.
        if (!result.ok && result.code === 'not_found') return fhirJson(bundle(c, []));
        if (!result.ok && concealedByReference(result.code)) {
          const why = typeof result.extra?.reason === 'string' ? ` (${result.extra.reason})` : '';
          c.set('access', {
            ...note,
            planId: (result.extra?.planId as string | undefined) ?? null,
            outcome: 'denied',
            denial: `${result.code}${why}: ${result.detail}`,
          });
          return fhirJson(bundle(c, []));
        }
        const cp = carePlanServed(c, result);
        return fhirJson(bundle(c, [{ fullUrl: `${base()}/CarePlan/${cp.id}`, resource: cp, search: { mode: 'match' } }]));
      },
    )
    .get('/AuditEvent', requireActor(services), fhirTrail('audit-read'), optionalPurpose, async (c) => {
      c.set('access', { planId: null, channel: 'fhir', query: { endpoint: 'fhir-audit-event' } });
      const q = searchParams(c, auditEventSearch);
      const planId = q.entity.slice('CarePlan/'.length);
      c.set('access', { planId, channel: 'fhir', query: { endpoint: 'fhir-audit-event', entity: q.entity, date: q.date ?? [] } });
      const filter = planEventsFilterSchema.safeParse({ ...dateFilter(q.date), limit: q._count, before: q._cursor });
      if (!filter.success)
        throw new AppError(
          'invalid',
          `invalid search: ${zodFieldErrors(filter.error)
            .map((e) => `${e.path}: ${e.message}`)
            .join('; ')}`,
        );
      const found = unwrap(await planAccessEvents(services.db, c.var.actor, planId, filter.data));
      const entries = found.events.map((e) => ({
        fullUrl: `${base()}/AuditEvent/${e.seq}`,
        resource: auditEventOf(e, found.plan, services.publicBaseUrl),
        search: { mode: 'match' as const },
      }));
      let next: string | undefined;
      if (found.nextBefore !== null) {
        const url = new URL(`${base()}/AuditEvent`);
        url.searchParams.set('entity', q.entity);
        for (const d of q.date ?? []) url.searchParams.append('date', d);
        url.searchParams.set('_count', String(filter.data.limit));
        url.searchParams.set('_cursor', String(found.nextBefore));
        next = url.toString();
      }
      return fhirJson(bundle(c, entries, next));
    })
    .all('*', (c) => {
      throw new AppError('route_not_found', `FHIR: no ${c.req.method} ${c.req.path} here; see ${base()}/metadata`);
    });
}
