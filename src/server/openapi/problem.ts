import type { OpenAPIV3_1 } from 'openapi-types';
import { z } from 'zod';
import { AppError, problemBody, type ErrorCode } from '../errors.js';

const codes = [
  'invalid',
  'purpose_required',
  'unauthenticated',
  'forbidden',
  'not_found',
  'route_not_found',
  'method_not_allowed',
  'conflict',
  'gone',
  'too_large',
  'rate_limited',
  'internal',
  'unavailable',
] as const satisfies readonly ErrorCode[];

const EXAMPLE_INSTANCE = 'urn:request-id:3f2c0e4e-6f1d-4a51-9d0e-2c7e4b1f7a10';

/** RFC 9457 problem details as errors.ts problemBody() writes them; extra members (errors, retryAfter…) allowed. */
export const problemDetailsSchema = z
  .looseObject({
    type: z.string().meta({ example: '/problems/not-found' }),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    instance: z.string().meta({ example: EXAMPLE_INSTANCE }),
    code: z.enum(codes),
    /** What to branch on when a refusal has more than one cause (four-eyes, stale-base, approval-race…); the detail is for people. */
    reason: z.string().optional(),
    /** On 400s from the validators: every bad field. */
    errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
    /** On 400s from the request's documented schema: the part it refused. */
    in: z.enum(['body', 'path', 'query', 'header', 'cookie']).optional(),
    /** On 429s, with the Retry-After header. */
    retryAfter: z.number().int().optional(),
  })
  .meta({ description: 'An error, as application/problem+json (RFC 9457).' });

export type DocumentedStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 429 | 503;

const meaning: Record<DocumentedStatus, { description: string; example: { code: ErrorCode; detail: string } }> = {
  400: {
    description: 'The request is not valid (each bad field named in `errors`), or a purpose is missing.',
    example: { code: 'invalid', detail: 'invalid query: limit: Too big: expected number to be <=50' },
  },
  401: { description: 'No valid bearer token.', example: { code: 'unauthenticated', detail: 'a bearer token is required' } },
  403: {
    description: 'Not allowed for this caller (role, organisation or agreement).',
    example: { code: 'forbidden', detail: 'no data-sharing agreement in force with the owning organisation' },
  },
  404: {
    description: 'Not found (also what a caller who may not know it exists is told).',
    example: { code: 'not_found', detail: 'no such plan' },
  },
  409: {
    description: 'Conflict with the current state (a workflow step already taken, a stale draft).',
    example: { code: 'conflict', detail: 'version 2 is not in review' },
  },
  410: {
    description: "No longer available (a withdrawn plan: the owning team's contact is in the detail).",
    example: { code: 'gone', detail: 'this plan has been withdrawn; contact the crisis team on 0100 000 0000' },
  },
  413: { description: 'Request body over 256 KB.', example: { code: 'too_large', detail: 'request body over 256 KB' } },
  429: {
    description: 'Too many requests; see `Retry-After`.',
    example: { code: 'rate_limited', detail: 'too many searches in a short time; try again in 30 s' },
  },
  503: {
    description:
      'Nothing is served: the access log could not record this request, or the database is away, or (search) this node is ' +
      'running as many searches as it can (`reason: busy`). Try again after `Retry-After`.',
    example: { code: 'unavailable', detail: 'the access log could not record this request, so nothing is shown; try again shortly' },
  },
};

/** The problem+json responses for these statuses, each pointing at the shared schema, with an example. */
export function problemResponses(statuses: readonly DocumentedStatus[]): Record<string, OpenAPIV3_1.ResponseObject> {
  return Object.fromEntries(
    statuses.map((status) => {
      const { description, example } = meaning[status];
      const body = problemBody(new AppError(example.code, example.detail), EXAMPLE_INSTANCE);
      return [
        String(status),
        {
          description,
          ...(status === 429 || status === 503
            ? { headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' as const } } } }
            : {}),
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' }, example: body } },
        },
      ];
    }),
  );
}
