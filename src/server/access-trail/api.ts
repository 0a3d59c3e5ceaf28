import type { Context, MiddlewareHandler } from 'hono';
import type { AccessAction, AccessChannel, AccessEventInput } from '../../plans/access-log/log.js';
import type { Actor } from '../../plans/core/actor.js';
import type { AppEnv, AppServices } from '../context.js';
import { AppError, problemResponse } from '../errors.js';

/** The refusal when an access event cannot be committed: nothing is served unlogged. */
export const accessLogUnavailable = () =>
  new AppError('unavailable', 'the access log could not record this request, so nothing is shown; try again shortly');

/** What a handler tells the access log about what it served (plan, version, search results…). */
export type AuditNote = {
  planId?: string | null;
  versionId?: number | null;
  query?: Record<string, unknown>;
  resultPlanIds?: string[];
  /** `emergency` when the plan was opened by break-glass. */
  outcome?: 'allowed' | 'emergency';
  reason?: string;
  /** The real reason for a refusal the response words otherwise (a concealed plan answers 404). */
  denial?: string;
  channel?: AccessChannel;
};

const planIdInPath = /\/plans\/([^/?#]{1,100})/;

/** Lookup keys the route was asked for, when the handler never got to say (e.g. a 400 before it ran). */
function defaultNote(c: Context<AppEnv>): AuditNote {
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

/**
 * Wraps one read route so that every request to it writes exactly one access event, whatever happens
 * inside (allowed, 400 no purpose, 403, 404, 410…), and the response leaves only after the event is
 * committed. If the log cannot be written the response is replaced by a 503: nothing is served unlogged.
 * Put it before requirePurpose and the validators on the route so their refusals are logged too.
 */
export function auditTrail(
  services: AppServices,
  action: AccessAction,
  opts: { channel?: AccessChannel } = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const said = c.get('audit') as AuditNote | undefined;
    const note = said?.planId !== undefined ? said : { ...defaultNote(c), ...said };
    const actor = c.get('actor') as Actor | undefined;
    const served = c.res.status < 400 && !c.error;
    const event: AccessEventInput = {
      actor: actor ? { sub: actor.sub, org: actor.org, roles: actor.roles } : null,
      action,
      channel: note.channel ?? opts.channel ?? 'api',
      purpose: (c.get('purpose') as string | undefined) ?? null,
      planId: note.planId,
      versionId: note.versionId,
      query: note.query,
      resultPlanIds: note.resultPlanIds,
      outcome: served ? (note.outcome ?? 'allowed') : 'denied',
      reason: served ? note.reason : (note.denial ?? denialReason(c.error, c.res.status)),
    };
    try {
      await services.accessLog.record(event);
    } catch (e) {
      services.logger.error({ err: { name: (e as Error).name, message: (e as Error).message }, action }, 'access log write failed: response withheld');
      c.res = undefined;
      c.res = problemResponse(c, accessLogUnavailable());
    }
  };
}
