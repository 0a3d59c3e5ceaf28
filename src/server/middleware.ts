import type { Context, MiddlewareHandler } from 'hono';
import type { AccessAction } from '../plans/access-log/log.js';
import { HIDDEN_IN_NAME } from '../plans/core/content.js';
import { clientAddress } from './guards/client-address.js';
import { AppError } from './errors.js';
import type { AppEnv, AppServices } from './context.js';

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
async function refuseToken(c: Context<AppEnv>, services: AppServices, why: 'missing-token' | 'invalid-token' | 'no-role', code: string, detail: string) {
  const reason = `${code} (${why})`;
  await services.refusals.refuse({
    client: `addr:${clientAddress(c, services.trustProxy)}`,
    reason,
    event: { actor: null, action: actionOf(c.req.path), channel: 'api', purpose: null, outcome: 'denied', reason: `${reason}: ${detail}` },
  });
}

/** Bearer JWT → `c.var.actor`. Every API route sits behind this. */
export function requireActor(services: AppServices): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // Sub-apps mounted on the same prefix each install this; verify once per request.
    if (c.get('actor')) return next();
    const header = c.req.header('authorization');
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) {
      const detail = 'send Authorization: Bearer <token> from your organisation\'s sign-in';
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

const PURPOSE_MIN = 3;
const PURPOSE_MAX = 200;

/** A stated purpose, trimmed, or undefined when it is missing, too short or too long, or has control characters. */
export function validPurpose(raw: string | undefined | null): string | undefined {
  const purpose = raw?.trim();
  if (!purpose || purpose.length < PURPOSE_MIN || purpose.length > PURPOSE_MAX || HIDDEN_IN_NAME.test(purpose)) return undefined;
  return purpose;
}
// The purpose is shown to auditors and in the person's report: it must read as it displays.
/**
 * Header values arrive one character per byte. A purpose is UTF-8 text ("Siân's welfare"): decoded, so
 * that what is checked and logged is what the responder typed; bytes that are not UTF-8 are refused.
 */
export function headerText(raw: string | undefined): string | undefined {
  if (raw === undefined || !/[\x80-\xff]/.test(raw)) return raw;
  const text = Buffer.from(raw, 'latin1').toString('utf8');
  return text.includes('\uFFFD') ? undefined : text;
}
export const PURPOSE_RULE = `an incident reference or reason (${PURPOSE_MIN}–${PURPOSE_MAX} characters, one line, no invisible or bidi-override characters)`;

/**
 * Plan data is only released for a stated purpose (an incident reference or a reason): the access log
 * records it, so the person can later be told why their plan was looked at.
 */
export const requirePurpose: MiddlewareHandler<AppEnv> = async (c, next) => {
  // A purpose already established for this request (the web session's) stands.
  if (c.get('purpose')) return next();
  const purpose = validPurpose(headerText(c.req.header('x-access-purpose')));
  if (!purpose) {
    throw new AppError('purpose_required', `say why you need this plan: send X-Access-Purpose with ${PURPOSE_RULE}`);
  }
  c.set('purpose', purpose);
  await next();
};

/** Auditors' reads: a purpose is recorded when given, not required (they read the log, not plans). */
export const optionalPurpose: MiddlewareHandler<AppEnv> = async (c, next) => {
  const purpose = validPurpose(headerText(c.req.header('x-access-purpose')));
  if (purpose) c.set('purpose', purpose);
  await next();
};
