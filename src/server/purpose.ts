import type { MiddlewareHandler } from 'hono';
import { HIDDEN_IN_NAME } from '../plans/core/content.js';
import { wellFormed } from '../plans/core/text.js';
import { AppError } from './errors.js';
import type { AppEnv } from './context.js';

export const PURPOSE_MIN = 3;
export const PURPOSE_MAX = 200;

/** A stated purpose, trimmed, or undefined when it is missing, too short or too long, or has control characters. */
export function validPurpose(raw: string | undefined | null): string | undefined {
  const purpose = raw?.trim();
  if (!purpose || purpose.length < PURPOSE_MIN || purpose.length > PURPOSE_MAX || HIDDEN_IN_NAME.test(purpose) || !wellFormed(purpose))
    return undefined;
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
    throw new AppError('purpose_required', `say why you need this plan: send X-Access-Purpose with ${PURPOSE_RULE}`, { in: 'header' });
  }
  c.set('purpose', purpose);
  await next();
};

/**
 * Auditors' reads: a purpose is recorded when given, not required (they read the log, not plans). One
 * given but not valid is refused, as its documented schema says, rather than dropped from the record.
 */
export const optionalPurpose: MiddlewareHandler<AppEnv> = async (c, next) => {
  const raw = c.req.header('x-access-purpose');
  if (raw !== undefined) {
    const purpose = validPurpose(headerText(raw));
    if (!purpose)
      throw new AppError('invalid', `X-Access-Purpose, when sent, must be ${PURPOSE_RULE}`, {
        errors: [{ path: 'X-Access-Purpose', message: `must be ${PURPOSE_RULE}` }],
        in: 'header',
      });
    c.set('purpose', purpose);
  }
  await next();
};
