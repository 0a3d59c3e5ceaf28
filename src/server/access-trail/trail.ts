import type { Context, MiddlewareHandler } from 'hono';
import type { AccessAction, AccessChannel, AccessEventInput } from '../../plans/access-log/log.js';
import type { Actor } from '../../plans/core/actor.js';
import type { AppServices } from '../context.js';
import { accessLogUnavailable, AppError, problemResponse, withRetryAfter } from '../errors.js';
import type { AccessNote } from './note.js';

/**
 * How a request that could not be logged is answered: problem+json to API clients, an HTML page to
 * browsers (registered by the web routes, so this folder needs nothing from the UI).
 */
export type Medium = 'api' | { page: (c: Context) => Response | Promise<Response> };

const planIdInPath = /\/plans\/([^/?#]{1,100})/;

/** Lookup keys the route was asked for, when the handler never got to say (e.g. a 400 before it ran). */
function defaultNote(c: Context): AccessNote {
  const planId = c.req.path.match(planIdInPath)?.[1];
  const query = c.req.query();
  return { planId: planId ?? null, query: Object.keys(query).length ? query : undefined };
}

function denialReason(err: Error | undefined, status: number): string {
  if (err instanceof AppError) {
    const why = typeof err.extra.reason === 'string' ? ` (${err.extra.reason})` : '';
    return `${err.code}${why}: ${err.detail}`;
  }
  return err ? `internal: ${err.name}` : `status ${status}`;
}

/** The access event for what this request did, from the handler's note and how it ended. */
export function eventFor(c: Context, action: AccessAction, channel: AccessChannel, note: AccessNote): AccessEventInput {
  const actor = c.get('actor') as Actor | undefined;
  const served = c.res.status < 400 && !c.error && note.outcome !== 'denied';
  return {
    actor: note.actor !== undefined ? note.actor : actor ? { sub: actor.sub, org: actor.org, roles: actor.roles } : null,
    action,
    channel: note.channel ?? channel,
    purpose: note.purpose !== undefined ? note.purpose : ((c.get('purpose') as string | undefined) ?? null),
    planId: note.planId,
    versionId: note.versionId,
    query: note.card ? { card: note.card.via, cardId: note.card.cardId ?? null, failuresInWindow: note.card.failuresInWindow } : note.query,
    resultPlanIds: note.resultPlanIds,
    outcome: served ? (note.outcome ?? 'allowed') : 'denied',
    reason: served ? note.reason : (note.denial ?? note.reason ?? denialReason(c.error, c.res.status)),
  };
}

/**
 * Records one event and, if the log cannot take it, replaces the response with the medium's refusal:
 * the one place where "nothing is served unlogged" is decided.
 */
export async function recordOrWithhold(services: AppServices, c: Context, event: AccessEventInput, medium: Medium): Promise<boolean> {
  try {
    await services.accessLog.record(event);
    return true;
  } catch (e) {
    services.logger.error(
      { err: { name: (e as Error).name, message: (e as Error).message }, action: event.action },
      'access log write failed: response withheld',
    );
    c.res = undefined;
    c.res = medium === 'api' ? problemResponse(c, accessLogUnavailable()) : withRetryAfter(await medium.page(c));
    return false;
  }
}

/**
 * Wraps a route so that the request writes one access event, whatever happens inside (allowed, 400 no
 * purpose, 403, 404, 410…), and the response leaves only after the event is committed; if it cannot be
 * written, the response is withheld (see recordOrWithhold). The handler describes what it served with
 * `c.set('access', note)`. API routes always record (`every: 'request'`: a refusal before the handler ran
 * is logged with the lookup keys of the path); a page records only once its handler has noted something
 * (`every: 'noted'`: showing an empty search form is not an access). Put it before requirePurpose and the
 * validators so their refusals are logged too.
 */
export function accessTrail(
  services: AppServices,
  action: AccessAction,
  opts: { channel: AccessChannel; medium: Medium; every: 'request' | 'noted' },
): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const said = c.get('access') as AccessNote | undefined;
    if (!said && opts.every === 'noted') return;
    const note = said?.planId !== undefined ? said : { ...defaultNote(c), ...said };
    await recordOrWithhold(services, c, eventFor(c, action, opts.channel, note), opts.medium);
  };
}

/** What every API read route uses: channel `api`, problem+json when the log is down. */
export const apiTrail = (services: AppServices, action: AccessAction, channel: AccessChannel = 'api') =>
  accessTrail(services, action, { channel, medium: 'api', every: 'request' });
