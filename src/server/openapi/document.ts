import type { Hono } from 'hono';
import { generateSpecs } from 'hono-openapi';
import type { OpenAPIV3_1 } from 'openapi-types';
import { z } from 'zod';
import { problemDetailsSchema, problemResponses } from './problem.js';

const description = `Mental-health crisis response plans for police, ambulance and emergency-department responders.

Every request carries \`Authorization: Bearer <JWT>\` from the caller's organisation's identity provider (or the
development issuer). Every request that returns plan data carries \`X-Access-Purpose\`. Every plan read, search,
card print, history read and audit read is one access event, durably committed before the answer leaves: when the
access log cannot commit, the answer is 503 and nothing is shown. Every response carries \`X-Request-Id\`; a
problem's \`instance\` is \`urn:request-id:<id>\`. Errors are \`application/problem+json\` (RFC 9457).`;

const methods = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * The OpenAPI 3.1 document of the JSON API, from the marks validate() and documented() leave on the
 * route table's handlers: the same zod schemas that validate requests and describe answers.
 */
// biome-ignore lint/suspicious/noExplicitAny: any app, whatever its env, schema and base path
export async function openApiDocument(app: Hono<any, any, any>): Promise<OpenAPIV3_1.Document> {
  const doc = (await generateSpecs(app, {
    documentation: {
      info: { title: 'Response-plan lookup API', version: '1', description },
      servers: [{ url: '/' }],
      tags: [
        { name: 'plans', description: "Responders' reads of the current published plan" },
        { name: 'search', description: 'Finding the person' },
        { name: 'authoring', description: 'Drafts, review, publishing, withdrawal, history' },
        { name: 'cards', description: 'Patient-held cards (QR and typed code)' },
        { name: 'audit', description: "The access log, unusual access, the person's report" },
        { name: 'admin', description: 'Organisations and data-sharing agreements' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: "A JWT from the caller's organisation's identity provider; `exp` required.",
          },
        },
        schemas: {
          ProblemDetails: z.toJSONSchema(problemDetailsSchema, { target: 'draft-2020-12', io: 'output' }) as OpenAPIV3_1.SchemaObject,
        },
      },
    },
    exclude: [/^(?!\/api\/v1\/)/],
    defaultValidationErrorResponse: problemResponses([400])['400'],
  })) as OpenAPIV3_1.Document;
  // Every operation sits behind requireActor, and every body behind the body limit (app.ts).
  // openapi-types' 3.0 and 3.1 shapes do not mix in its PathItemObject: edit the operations as plain data.
  type Operation = {
    responses?: object;
    requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
    security?: unknown;
  };
  for (const item of Object.values(doc.paths ?? {}) as Partial<Record<(typeof methods)[number], Operation>>[]) {
    for (const method of methods) {
      const op = item[method];
      if (!op) continue;
      op.responses = { ...op.responses, ...problemResponses([401]), ...(op.requestBody ? problemResponses([413]) : {}) };
      op.security ??= [{ bearerAuth: [] }];
      // The JSON validator reads an absent body as {}: where {} is a valid body, the body is optional.
      const json = op.requestBody?.content?.['application/json']?.schema;
      if (op.requestBody && json && acceptsEmptyObject(json, doc)) op.requestBody.required = false;
    }
  }
  return doc;
}

type Schema = { $ref?: string; type?: unknown; required?: string[]; minProperties?: number; anyOf?: Schema[]; oneOf?: Schema[] };

/** Whether `{}` satisfies the schema, for the shapes zod writes (objects, unions of them, refs into components). */
function acceptsEmptyObject(schema: Schema, doc: OpenAPIV3_1.Document): boolean {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name] as Schema | undefined;
    return !!target && acceptsEmptyObject(target, doc);
  }
  if (schema.type !== undefined && schema.type !== 'object') return false;
  if (schema.required?.length || schema.minProperties) return false;
  const branches = schema.anyOf ?? schema.oneOf;
  return !branches || branches.some((b) => acceptsEmptyObject(b, doc));
}
