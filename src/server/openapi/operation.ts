import { resolver, uniqueSymbol, type DescribeRouteOptions } from 'hono-openapi';
import type { z } from 'zod';
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
};

const purposeHeader = (required: boolean) => ({
  in: 'header' as const,
  name: 'X-Access-Purpose',
  required,
  description: 'Why you are looking: an incident reference or reason (UTF-8, one line, no control, zero-width or bidi-override characters). Recorded in the access log.',
  schema: { type: 'string' as const, minLength: 1, maxLength: 200 },
  example: 'INC-2026-0042',
});

const emergencyHeader = {
  in: 'header' as const,
  name: 'X-Emergency-Access',
  required: false,
  description: 'Break-glass for health responders whose organisation has no agreement: the reason. Flagged to auditors and shown in the person\'s access report; police have no such route. UTF-8, one line, no control, zero-width or bidi-override characters (a 400 naming the header otherwise).',
  schema: { type: 'string' as const, minLength: 3, maxLength: 500 },
  example: 'unconscious patient, no agreement with the owning trust',
};

export function operationSpec(op: OperationDoc): DescribeRouteOptions {
  const ok = op.ok;
  const content = ok && {
    ...(ok.schema ? { 'application/json': { schema: resolver(ok.schema, { options: { io: 'output' } }), ...(ok.example === undefined ? {} : { example: ok.example }) } } : {}),
    ...ok.other,
  };
  return {
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    security: [{ bearerAuth: [] }],
    parameters: [...(op.purpose ? [purposeHeader(op.purpose === 'required')] : []), ...(op.emergency ? [emergencyHeader] : [])],
    responses: { ...(ok ? { [String(ok.status ?? 200)]: { description: ok.description, content } } : {}), ...problemResponses(op.errors) },
  };
}

/**
 * Documents an operation by marking its last handler for hono-openapi's route walk: a property, not a
 * middleware, so a request runs exactly the handlers it ran before (the plan view is the hot path).
 */
export function documented<T extends readonly unknown[]>(op: OperationDoc, handlers: T): T {
  Object.assign(handlers[handlers.length - 1] as object, { [uniqueSymbol]: { spec: operationSpec(op) } });
  return handlers;
}
