import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { externalRefSchema, slugSchema } from '../../plans/content.js';
import { isoDay } from '../../plans/clock.js';
import type { ReadOptions } from '../../plans/access.js';
import type { ReadOutcome } from '../../plans/read.js';
import type { Result } from '../../plans/result.js';
import { auditTrail } from '../audit-trail.js';
import type { AppEnv, AppServices } from '../context.js';
import { AppError, unwrap } from '../errors.js';
import { requireActor, requirePurpose } from '../middleware.js';
import { securedResponse } from '../security-headers.js';
import { planIdParam, validate } from '../validate.js';

const byRefQuery = z.strictObject({
  externalRef: externalRefSchema,
  /** Whose reference it is; defaults to the caller's own organisation (systems linking their own plans). */
  org: slugSchema.optional(),
});

/** Break-glass: `X-Emergency-Access: <reason>`; the domain decides whether it opens anything. */
const emergencyReason = z
  .string()
  .trim()
  .min(3, 'give the reason for emergency access (at least 3 characters)')
  .max(500)
  .regex(/^[^\u0000-\u001f]*$/, 'no control characters');

export function readOptions(c: Context<AppEnv>): ReadOptions {
  const raw = c.req.header('x-emergency-access');
  if (raw === undefined) return {};
  const parsed = emergencyReason.safeParse(raw);
  if (!parsed.success) throw new AppError('invalid', `X-Emergency-Access: ${parsed.error.issues[0]!.message}`);
  return { emergencyReason: parsed.data };
}

// Views are cached and shared by the reader; their JSON is memoised by identity so the hot path does not
// re-serialise the same plan for every request.
const jsonOf = new WeakMap<object, string>();
function viewJson(view: object): string {
  let body = jsonOf.get(view);
  if (body === undefined) jsonOf.set(view, (body = JSON.stringify(view)));
  return body;
}

/** Notes what was served for the access event, then unwraps (a failure is noted by the trail itself). */
function served(c: Context<AppEnv>, result: Result<ReadOutcome>) {
  const { view, grant } = unwrap(result);
  c.set('audit', {
    ...c.get('audit'),
    planId: view.planId,
    versionId: view.versionId,
    ...(grant.basis === 'emergency' ? { outcome: 'emergency' as const, reason: grant.reason } : {}),
  });
  return securedResponse(viewJson(view), 200, 'application/json');
}

/** The responder's read: the current published plan, as their organisation kind may see it. */
export function planReadRoutes(services: AppServices) {
  const today = () => isoDay(services.clock());
  return new Hono<AppEnv>()
    .use(requireActor(services))
    .get('/', auditTrail(services, 'view'), requirePurpose, validate('query', byRefQuery), (c) => {
      const { externalRef, org } = c.req.valid('query');
      const actor = c.var.actor;
      c.set('audit', { query: { externalRef, org: org ?? actor.org } });
      return served(c, services.reader.byExternalRef(actor, org ?? actor.org, externalRef, today(), readOptions(c)));
    })
    .get('/:planId', auditTrail(services, 'view'), requirePurpose, validate('param', planIdParam), (c) => {
      return served(c, services.reader.byId(c.var.actor, c.req.valid('param').planId, today(), readOptions(c)));
    });
}
