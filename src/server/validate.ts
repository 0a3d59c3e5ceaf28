import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import { z } from 'zod';
import { planIdSchema } from '../plans/core/content.js';
import { validationHook } from './errors.js';

/** Every validator goes through the shared hook, so every 400 has the same problem+json shape. */
export const validate = <T extends keyof ValidationTargets, S extends z.ZodType>(target: T, schema: S) =>
  zValidator(target, schema, validationHook);

export const planIdParam = z.strictObject({ planId: planIdSchema });
export const versionParam = planIdParam.extend({ version: z.coerce.number().int().min(1).max(100000) });
