import type { MiddlewareHandler } from 'hono';
import { resolver, uniqueSymbol, type DescribeRouteOptions } from 'hono-openapi';
import { z } from 'zod';
import { HIDDEN_IN_NAME } from '../../plans/core/content.js';
import { PURPOSE_MAX, PURPOSE_MIN } from '../purpose.js';
import { validate } from '../validate.js';
import { problemResponses, type DocumentedStatus } from './problem.js';

/** What one API operation documents; request shapes come from its validators (validate.ts). */
export type OperationDoc = {
  summary: string;
  description?: string;
  tag: 'plans' | 'authoring' | 'cards' | 'search' | 'audit' | 'admin';
  /** `required` on every read that returns plan data (purpose.ts requirePurpose). */
  purpose?: 'required' | 'optional';
  /** Break-glass on plan reads (read-shared.ts readOptions). */
  emergency?: boolean;
  /** The success answer: a zod schema for JSON, or other media types as they are; none when it always fails. */
  ok?: { status?: 200 | 201; description: string; schema?: z.ZodType; example?: unknown; other?: Record<string, { schema: object }> };
  /** Failure statuses besides 401 (every operation) and 413 (every body), added by document.ts. */
  errors: readonly DocumentedStatus[];
  /**
   * Rules across query parameters, which OpenAPI lists one by one: a JSON Schema over the query as an
   * object (`x-query-schema`), with `description` saying it in words.
   */
  queryRules?: { description: string; schema: object };
};

/** One line of visible text, as validPurpose() checks it (purpose.ts). */
const visibleLine = `^[^${HIDDEN_IN_NAME.source.slice(1, -1)}]*$`;

const purposeHeader = (required: boolean) => ({
  in: 'header' as const,
  name: 'X-Access-Purpose',
  required,
  description: `Why you are looking: an incident reference or reason, ${PURPOSE_MIN}–${PURPOSE_MAX} characters once leading and trailing spaces are trimmed (UTF-8, one line, no control, zero-width or bidi-override characters). Recorded in the access log.`,
  schema: { type: 'string' as const, minLength: PURPOSE_MIN, maxLength: PURPOSE_MAX, pattern: visibleLine },
  example: 'INC-2026-0042',
});

const emergencyHeader = {
  in: 'header' as const,
  name: 'X-Emergency-Access',
  required: false,
  description:
    "Break-glass for health responders whose organisation has no agreement: the reason. Flagged to auditors and shown in the person's access report; police have no such route. UTF-8, one line, no control, zero-width or bidi-override characters (a 400 naming the header otherwise).",
  schema: { type: 'string' as const, minLength: 3, maxLength: 500 },
  example: 'unconscious patient, no agreement with the owning trust',
};

export function operationSpec(op: OperationDoc): DescribeRouteOptions {
  const ok = op.ok;
  const content = ok && {
    ...(ok.schema
      ? {
          'application/json': {
            schema: resolver(ok.schema, { options: { io: 'output' } }),
            ...(ok.example === undefined ? {} : { example: ok.example }),
          },
        }
      : {}),
    ...ok.other,
  };
  return {
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    security: [{ bearerAuth: [] }],
    parameters: [...(op.purpose ? [purposeHeader(op.purpose === 'required')] : []), ...(op.emergency ? [emergencyHeader] : [])],
    ...(op.queryRules ? { 'x-query-schema': { description: op.queryRules.description, ...op.queryRules.schema } } : {}),
    responses: { ...(ok ? { [String(ok.status ?? 200)]: { description: ok.description, content } } : {}), ...problemResponses(op.errors) },
  };
}

const refuseQuery = validate('query', z.strictObject({}));
/** A query string on an operation that takes none is refused like any unknown parameter (400 naming it). */
const noQuery: MiddlewareHandler = (c, next) => (c.req.url.includes('?') ? refuseQuery(c, next) : next());

const validatesQuery = (handler: unknown) => (handler as { [uniqueSymbol]?: { target?: string } })[uniqueSymbol]?.target === 'query';

/**
 * Documents an operation by marking its last handler for hono-openapi's route walk: a property, not a
 * middleware, so the plan view (the hot path) runs no extra handler for its documentation. An operation
 * whose handlers validate no query gets one that refuses any (only when the URL has a query string), so
 * every operation refuses parameters its document does not list, as the strict query schemas do.
 */
export function documented<T extends readonly unknown[]>(op: OperationDoc, handlers: T): T {
  const takesQuery = handlers.some(validatesQuery);
  const errors = takesQuery || op.errors.includes(400) ? op.errors : [400 as const, ...op.errors];
  Object.assign(handlers[handlers.length - 1] as object, { [uniqueSymbol]: { spec: operationSpec({ ...op, errors }) } });
  return (takesQuery ? handlers : [...handlers.slice(0, -1), noQuery, handlers[handlers.length - 1]]) as unknown as T;
}
