import { z } from 'zod';
import { slugSchema } from '../../../../plans/core/content.js';
import { proposalViewSchema } from '../../../../plans/governance/agreements.js';
import { agreementViewSchema } from '../../../../plans/governance/governance.js';
import { authoriseAdmin, type Operator } from '../../../../plans/policy.js';
import type { AppEnv, AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';

// /api/v1/admin: the register of organisations and agreements (admin role; every write is a governance event).

export const slugParam = z.strictObject({ slug: slugSchema });
export const refParam = z.strictObject({ ref: z.string().trim().min(1).max(100) });

export const operator = (c: { var: AppEnv['Variables'] }): Operator => ({ via: 'api', actor: c.var.actor });
/** Reads of the register need the admin role too (writes are authorised by the domain, per object). */
export const requireAdmin = (c: { var: AppEnv['Variables'] }) => unwrap(authoriseAdmin(operator(c)));
export const governanceDeps = (s: AppServices) => ({ db: s.db, log: s.accessLog, clock: s.clock });

/** What the register's writes answer (the organisation or agreement record as stored). */
export const organisationAnswer = z.strictObject({ organisation: z.looseObject({ slug: z.string() }) });
export const agreementAnswer = z.strictObject({ agreement: agreementViewSchema });
/** A proposed agreement or change: in force only once every party has accepted it. */
export const proposalAnswer = z.strictObject({ proposal: proposalViewSchema });
export const proposalParam = z.strictObject({
  id: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31),
});
