import type { MiddlewareHandler } from 'hono';
import type { AccessEventInput } from '../../../../plans/access-log/log.js';
import { isoDay } from '../../../../plans/core/clock.js';
import { searchQueryRules, searchQuerySchema } from '../../../../search/query.js';
import { apiTrail } from '../../../access-trail/trail.js';
import type { AppEnv, AppServices } from '../../../context.js';
import { AppError, unwrap } from '../../../errors.js';
import { requirePurpose, validPurpose } from '../../../purpose.js';
import { validate } from '../../../validate.js';
import { securedResponse } from '../../../security-headers.js';
import { api } from '../../factory.js';
import { admitSearch } from '../../../guards/search-admission.js';
import { documented, type OperationDoc } from '../../../openapi/operation.js';
import { z } from 'zod';
import { searchResultSchema } from '../../../../search/service.js';

const searchAnswerSchema = z
  .strictObject({ results: z.array(searchResultSchema), degraded: z.boolean(), tookMs: z.number() })
  .meta({ id: 'SearchAnswer' });

/** Per person, shared with the web page; before the trail, so a harvesting script cannot flood the log. */
const searchLimit =
  (s: AppServices): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const actor = c.var.actor;
    const client = `actor:${actor.org}/${actor.sub}`;
    const wait = await s.searchGuard.attempt(client);
    if (wait === undefined) return next();
    // Nothing is searched: a script's flood of refusals must not hold the slots responders' searches need.
    c.var.searchSlot?.();
    const query = Object.fromEntries(Object.entries(c.req.query()).map(([k, v]) => [k.slice(0, 20), v.slice(0, 200)]));
    const event: AccessEventInput = {
      actor: { sub: actor.sub, org: actor.org, roles: actor.roles },
      action: 'search',
      channel: 'api',
      purpose: validPurpose(c.req.header('x-access-purpose')) ?? null,
      query,
      outcome: 'denied',
      reason: 'rate-limited',
    };
    await s.refusals.refuse({ client, reason: 'rate-limited', event });
    c.header('Retry-After', String(wait));
    throw new AppError('rate_limited', `too many searches in a short time; try again in ${wait} s`, { retryAfter: wait });
  };

/** This node is running as many searches as it can: 503 at once, before anything of the request is read. */
const busy = () => {
  throw new AppError('unavailable', 'this node is running as many searches as it can; nothing was searched; try again in a moment', {
    reason: 'busy',
  });
};

const doc: OperationDoc = {
  summary: 'Find people the caller may see, best first, with why each matched',
  description:
    'Never plan content. `degraded: true` when answering from the SQLite fallback. Rate-limited per person (SEARCH_BURST, SEARCH_PER_HOUR). ' +
    'A node running as many searches as it can (SEARCH_MAX_IN_FLIGHT, SEARCH_QUEUE) answers 503 with `reason: busy` and `Retry-After: 1` at once.',
  tag: 'search',
  purpose: 'required',
  ok: { description: 'The people found', schema: searchAnswerSchema },
  errors: [400, 403, 429, 503],
  queryRules: searchQueryRules,
};

/**
 * GET /api/v1/search (CONTRACTS §5): who the responder may be looking for, best first. Every search is
 * an access event listing every plan it returned, so each person's report can count the searches that
 * surfaced them; refusals (no purpose, bad query, wrong role) are logged too.
 */
export const searchPeople = (s: AppServices) =>
  documented(
    doc,
    api.createHandlers(
      admitSearch(s.searchAdmission, 'api', busy),
      searchLimit(s),
      apiTrail(s, 'search'),
      requirePurpose,
      validate('query', searchQuerySchema),
      async (c) => {
        const query = c.req.valid('query');
        c.set('access', { planId: null, query });
        const found = await s.search.search(c.var.actor, query, isoDay(s.clock()));
        c.var.searchSlot?.();
        const outcome = unwrap(found);
        c.set('access', { planId: null, query, resultPlanIds: outcome.planIds });
        const { results, degraded, tookMs } = outcome;
        // Headers in place from the start, as the plan view does (security-headers.ts says why).
        return securedResponse(JSON.stringify({ results, degraded, tookMs }), 200, 'application/json', c.get('requestId'));
      },
    ),
  );
