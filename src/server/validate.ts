import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import { resolver, uniqueSymbol } from 'hono-openapi';
import { z } from 'zod';
import { planIdSchema } from '../plans/core/content.js';
import { validationHook } from './errors.js';

/**
 * Every validator goes through the shared hook, so every 400 has the same problem+json shape. Each also
 * carries its schema for /openapi.json (hono-openapi reads the mark), so the document shows exactly what
 * is validated.
 */
export const validate = <T extends keyof ValidationTargets, S extends z.ZodType>(target: T, schema: S) =>
  Object.assign(zValidator(target, schema, validationHook), { [uniqueSymbol]: { target, ...resolver(schema) } });

export const planIdParam = z.strictObject({ planId: planIdSchema });
export const versionParam = planIdParam.extend({ version: z.coerce.number().int().min(1).max(100000) });
