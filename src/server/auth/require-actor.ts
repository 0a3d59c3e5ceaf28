import type { Context, MiddlewareHandler } from 'hono';
import type { AccessAction } from '../../plans/access-log/log.js';
import type { AppEnv, AppServices } from '../context.js';
import { AppError } from '../errors.js';
import { clientAddress } from '../guards/client-address.js';

/** What a refused API request was trying to do, for its access event (it never reached its route). */
function actionOf(path: string): AccessAction {
  if (path.startsWith('/api/v1/search')) return 'search';
  if (path.startsWith('/api/v1/audit') || path.endsWith('/access-report')) return 'audit-read';
  if (/\/(versions|diff)(\/|$)/.test(path)) return 'history';
  if (/\/cards(\/|$)/.test(path)) return 'print';
  return 'view';
}

/**
 * A refused token is logged (reason and detail, never the token), summarised per address and reason
 * like any refusal a stranger can repeat at will.
 */
async function refuseToken(
  c: Context<AppEnv>,
  services: AppServices,
  why: 'missing-token' | 'invalid-token' | 'no-role',
  code: string,
  detail: string,
) {
  const reason = `${code} (${why})`;
  await services.refusals.refuse({
    client: `addr:${clientAddress(c, services.trustProxy)}`,
    reason,
    event: {
      actor: null,
      action: actionOf(c.req.path),
      channel: c.req.path.startsWith('/fhir/') ? 'fhir' : 'api',
      purpose: null,
      outcome: 'denied',
      reason: `${reason}: ${detail}`,
    },
  });
}

/** Bearer JWT → `c.var.actor`. Every API route sits behind this. */
export function requireActor(services: AppServices): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) {
      const detail = "send Authorization: Bearer <token> from your organisation's sign-in";
      await refuseToken(c, services, 'missing-token', 'unauthenticated', detail);
      c.header('WWW-Authenticate', 'Bearer realm="response-plans"');
      throw new AppError('unauthenticated', detail);
    }
    const result = await services.auth.verify(token);
    if (!result.ok) {
      await refuseToken(c, services, result.code === 'unauthenticated' ? 'invalid-token' : 'no-role', result.code, result.detail);
      if (result.code === 'unauthenticated') c.header('WWW-Authenticate', 'Bearer realm="response-plans", error="invalid_token"');
      throw new AppError(result.code, result.detail);
    }
    c.set('actor', result.value);
    await next();
  };
}
