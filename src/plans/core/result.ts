/**
 * Expected failures are values, not exceptions: the domain says what went wrong and the HTTP boundary
 * decides the status code (src/server/errors.ts maps each code).
 */
export type FailureCode =
  | 'not_found'
  | 'unauthenticated'
  | 'forbidden'
  | 'conflict'
  | 'invalid'
  | 'gone'
  | 'purpose_required'
  | 'unavailable';

export type Failure = { ok: false; code: FailureCode; detail: string; extra?: Record<string, unknown> };
export type Result<T> = { ok: true; value: T } | Failure;

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: FailureCode, detail: string, extra?: Record<string, unknown>): Failure => ({
  ok: false,
  code,
  detail,
  extra,
});

/**
 * The reason code a failure carries (`extra.reason`, and `reason` in the problem+json): what callers branch
 * on. The detail is words for people and may change; never match on it.
 */
export const reasonOf = (r: Result<unknown>): string | undefined =>
  !r.ok && typeof r.extra?.reason === 'string' ? r.extra.reason : undefined;
