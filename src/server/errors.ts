import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { FailureCode, Result } from '../plans/core/result.js';
import { isStoreUnavailable } from '../../db/unavailable.js';

/** The refusal when an access event cannot be committed: nothing is served unlogged. */
export const accessLogUnavailable = () =>
  new AppError('unavailable', 'the access log could not record this request, so nothing is shown; try again shortly');

/** A statement failed because the database is away (a restart, a failover): nothing was served. */
export const storeUnavailable = () =>
  new AppError('unavailable', 'the database is not answering just now, so nothing is shown; try again shortly');

/**
 * Seconds a client should wait before trying a 503 again: a database restart or a failover takes a second
 * or two, and a load balancer has usually moved traffic off an unready node by then.
 */
export const RETRY_AFTER_SECONDS = 2;

/** Every 503 says when to try again (a 429's own Retry-After, set by its route, is left alone). */
export function withRetryAfter(res: Response): Response {
  if (res.status === 503 && !res.headers.has('retry-after')) res.headers.set('Retry-After', String(RETRY_AFTER_SECONDS));
  return res;
}

export type ErrorCode = FailureCode | 'rate_limited' | 'internal' | 'route_not_found' | 'method_not_allowed' | 'too_large';

const statusOf: Record<ErrorCode, ContentfulStatusCode> = {
  invalid: 400,
  purpose_required: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

const titleOf: Record<ErrorCode, string> = {
  invalid: 'The request is not valid',
  purpose_required: 'A purpose is required',
  unauthenticated: 'Sign-in required',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  route_not_found: 'No such endpoint',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict with the current state',
  gone: 'No longer available',
  too_large: 'Request too large',
  rate_limited: 'Too many requests',
  internal: 'Something went wrong on our side',
  unavailable: 'Temporarily unavailable',
};

export type FieldError = { path: string; message: string };

/** The one error type the HTTP layer throws; `onError` renders it as RFC 9457 problem+json. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
  get status() {
    return statusOf[this.code];
  }
}

/** Turns a domain result into its value, or throws the matching AppError at the HTTP boundary. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new AppError(result.code, result.detail, result.extra);
}

export function problemBody(err: AppError, instance: string) {
  // Extra fields first: they may add detail but never override the standard members.
  return {
    ...err.extra,
    type: `/problems/${err.code.replace(/_/g, '-')}`,
    title: titleOf[err.code],
    status: err.status,
    detail: err.detail,
    instance,
    code: err.code,
  };
}

export function problemResponse(c: Context, err: AppError): Response {
  // The request id lets a caller's report be matched to the request log line (which has no personal data).
  const id = c.get('requestId');
  return withRetryAfter(
    c.newResponse(JSON.stringify(problemBody(err, id ? `urn:request-id:${id}` : c.req.path)), err.status, {
      'content-type': 'application/problem+json',
    }),
  );
}

/** Structural, so it takes zod's classic and core errors alike. */
type IssueList = { issues: readonly { path: readonly PropertyKey[]; message: string }[] };

export const zodFieldErrors = (error: IssueList): FieldError[] =>
  error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));

/** Validator targets as OpenAPI names the parts of a request. */
const partOf: Record<string, string> = { json: 'body', form: 'body', param: 'path', query: 'query', header: 'header', cookie: 'cookie' };

/**
 * Shared by every validator so every 400 looks alike and names each bad field, and says which part of the
 * request (`in`: body, path, query, header) its schema refused, so a refusal by the request's documented
 * schema can be told from one that depends on the current state.
 */
export const validationHook = (result: { success: true } | { success: false; error: IssueList; target?: string }, _c: Context) => {
  if (!result.success) {
    const errors = zodFieldErrors(result.error);
    const where = result.target === 'json' ? 'body' : (result.target ?? 'request');
    throw new AppError('invalid', `invalid ${where}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, {
      errors,
      ...(result.target && partOf[result.target] ? { in: partOf[result.target] } : {}),
    });
  }
};

/** A browser opening a page (not the API or FHIR) reads an HTML page; machines keep problem+json. */
export const wantsHtml = (c: Context) => !/^\/(api|fhir)(\/|$)/.test(c.req.path) && (c.req.header('accept') ?? '').includes('text/html');

/** Renders an error as a page for people (web/error-pages.tsx); given by app.ts so this file knows no UI. */
export type HtmlErrorPage = (c: Context, err: AppError) => Response | Promise<Response>;

export function createErrorHandler(log: { error: (obj: object, msg: string) => void }, htmlPage?: HtmlErrorPage): ErrorHandler {
  const answer = async (c: Context, err: AppError) =>
    withRetryAfter(htmlPage && wantsHtml(c) ? await htmlPage(c, err) : problemResponse(c, err));
  return (err, c) => {
    if (err instanceof AppError) return answer(c, err);
    if (isStoreUnavailable(err)) {
      // Expected while PostgreSQL restarts or fails over: one line, no stack, nothing of the request.
      log.error({ err: { name: err.name, message: err.message }, path: c.req.routePath }, 'database unavailable: answered 503');
      return answer(c, storeUnavailable());
    }
    if (err instanceof HTTPException) {
      const code: ErrorCode =
        err.status === 401 ? 'unauthenticated' : err.status === 413 ? 'too_large' : err.status < 500 ? 'invalid' : 'internal';
      return answer(c, new AppError(code, err.message || titleOf[code]));
    }
    // Never log request bodies or queries here: they can hold personal data.
    log.error({ err: { name: err.name, message: err.message, stack: err.stack }, path: c.req.routePath }, 'unhandled error');
    return answer(c, new AppError('internal', 'an unexpected error occurred; it has been logged'));
  };
}

/**
 * No route for this method and path. When the path has routes for other methods (`allowed` says which,
 * for the paths it covers), the answer is 405 with `Allow`, as HTTP asks, rather than a 404 that reads as
 * "no such resource".
 */
export const notFoundHandler =
  (htmlPage?: HtmlErrorPage, allowed?: (method: string, path: string) => string[]): NotFoundHandler =>
  (c) => {
    const allow = allowed?.(c.req.method, c.req.path) ?? [];
    if (allow.length) {
      c.header('Allow', allow.join(', '));
      return problemResponse(
        c,
        new AppError('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allow.join(', ')}`),
      );
    }
    const err = new AppError('route_not_found', `no endpoint ${c.req.method} ${c.req.path}`);
    return htmlPage && wantsHtml(c) ? htmlPage(c, err) : problemResponse(c, err);
  };
