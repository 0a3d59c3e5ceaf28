import type { Context } from 'hono';
import { z } from 'zod';
import type { Result } from '../../../../plans/core/result.js';
import type { ReadOptions } from '../../../../plans/policy.js';
import type { ReadOutcome } from '../../../../plans/versions/read.js';
import type { AppEnv } from '../../../context.js';
import { AppError, unwrap } from '../../../errors.js';
import { securedResponse } from '../../../security-headers.js';
import { headerText } from '../../../purpose.js';
import { HIDDEN_IN_NAME } from '../../../../plans/core/content.js';

/**
 * Break-glass: `X-Emergency-Access: <reason>`; the domain decides whether it opens anything. The reason
 * is shown to auditors and in the person's report as the purpose is, so it is read by the purpose's rules
 * (purpose.ts): UTF-8 decoded, one line of visible text, no zero-width or bidi-override characters.
 */
const emergencyReason = z
  .string()
  .trim()
  .min(3, 'give the reason for emergency access (at least 3 characters)')
  .max(500, 'at most 500 characters')
  .refine((s) => !HIDDEN_IN_NAME.test(s), 'must be one line of visible text: no control, zero-width or bidi-override characters');

export function readOptions(c: Context<AppEnv>): ReadOptions {
  const raw = c.req.header('x-emergency-access');
  if (raw === undefined) return {};
  const text = headerText(raw);
  const parsed = text === undefined ? undefined : emergencyReason.safeParse(text);
  if (!parsed?.success) {
    const message = parsed ? parsed.error.issues[0]!.message : 'must be UTF-8 text';
    throw new AppError('invalid', `X-Emergency-Access: ${message}`, { errors: [{ path: 'X-Emergency-Access', message }] });
  }
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

/**
 * Unwraps a read (a failure is noted by the trail itself) and notes what was served for the access
 * event: the plan, its version, and break-glass when that is how it was opened. JSON API and FHIR alike.
 */
export function noteServed(c: Context<AppEnv>, result: Result<ReadOutcome>): ReadOutcome {
  const read = unwrap(result);
  const { view, grant } = read;
  c.set('access', {
    ...c.get('access'),
    planId: view.planId,
    versionId: view.versionId,
    ...(grant.basis === 'emergency' ? { outcome: 'emergency' as const, reason: grant.reason } : {}),
  });
  return read;
}

/** The plan view as the JSON API answers it. */
export const served = (c: Context<AppEnv>, result: Result<ReadOutcome>) =>
  securedResponse(viewJson(noteServed(c, result).view), 200, 'application/json', c.get('requestId'));
