import type { MiddlewareHandler } from 'hono';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { ErrorCode } from '../errors.js';
import { FHIR_JSON } from './systems.js';

type IssueType = OperationOutcome['issue'][number]['code'];

const issueCode: Record<ErrorCode, IssueType> = {
  invalid: 'invalid',
  purpose_required: 'required',
  unauthenticated: 'login',
  forbidden: 'forbidden',
  not_found: 'not-found',
  route_not_found: 'not-supported',
  method_not_allowed: 'not-supported',
  conflict: 'conflict',
  gone: 'deleted',
  too_large: 'too-costly',
  rate_limited: 'throttled',
  internal: 'exception',
  unavailable: 'transient',
};

export function operationOutcome(code: ErrorCode, detail: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: code === 'internal' || code === 'unavailable' ? 'fatal' : 'error',
        code: issueCode[code] ?? 'processing',
        diagnostics: detail,
      },
    ],
  };
}

/**
 * FHIR clients expect OperationOutcome, not problem+json. Every refusal in the app (authentication,
 * purpose, authorisation, the access log being unavailable, no such route) is already an AppError
 * rendered as problem+json, so this rewrites those responses at the edge of /fhir/R4, keeping status and
 * headers (WWW-Authenticate…), rather than duplicating each refusal.
 */
export const asOperationOutcome: MiddlewareHandler = async (c, next) => {
  await next();
  if (!c.res.headers.get('content-type')?.startsWith('application/problem+json')) return;
  const problem = (await c.res.clone().json()) as { code: ErrorCode; detail: string; instance?: string };
  const headers = new Headers(c.res.headers);
  headers.set('content-type', FHIR_JSON);
  const outcome = operationOutcome(problem.code, problem.detail);
  const status = c.res.status;
  c.res = undefined;
  c.res = new Response(JSON.stringify(outcome), { status, headers });
};
