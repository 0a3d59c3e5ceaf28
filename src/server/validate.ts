import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import { resolver, uniqueSymbol } from 'hono-openapi';
import { z } from 'zod';
import { planIdSchema } from '../plans/core/content.js';
import { illFormedIssue } from '../plans/core/text.js';
import { validationHook } from './errors.js';
import { refuseUndecodableUrl } from './url-text.js';

/**
 * Before any schema: every string in the input, whatever field it is in (a JSON escape can carry a lone
 * surrogate into any of them), must be well-formed Unicode, so no schema can forget it.
 */
const wellFormedFirst = (schema: z.ZodType, value: unknown) => {
  const issue = illFormedIssue(value);
  if (issue) return { success: false as const, error: new z.ZodError([{ ...issue, input: value }]) };
  // No schema here has an async step today, and safeParseAsync's promises cost every request (a plan
  // view's path parameter among them); one that gains such a step is still parsed, asynchronously.
  try {
    return schema.safeParse(value);
  } catch (e) {
    if (e instanceof z.core.$ZodAsyncError) return schema.safeParseAsync(value);
    throw e;
  }
};

/**
 * Every validator goes through the shared hook, so every 400 has the same problem+json shape. Each also
 * carries its schema for /openapi.json (hono-openapi reads the mark), so the document shows exactly what
 * is validated.
 */
export const validate = <T extends keyof ValidationTargets, S extends z.ZodType>(target: T, schema: S) => {
  const validator = zValidator(target, schema, validationHook, {
    // The option is typed against zod 3's result type; zod 4's result is what it is handed at run time.
    validationFunction: wellFormedFirst as never,
  });
  // The router hands on a %-escape that is not UTF-8 still escaped (well-formed, but not what was sent).
  const part = target === 'query' ? 'query' : target === 'param' ? 'path' : undefined;
  const checked = part
    ? ((async (c, next) => {
        refuseUndecodableUrl(c.req.url, part);
        return validator(c, next);
      }) as typeof validator)
    : validator;
  return Object.assign(checked, { [uniqueSymbol]: { target, ...resolver(schema) } });
};

export const planIdParam = z.strictObject({ planId: planIdSchema });
export const versionParam = planIdParam.extend({ version: z.coerce.number().int().min(1).max(100000) });
