import { authoriseAudit } from '../../../../plans/policy.js';
import type { AppEnv, AppServices } from '../../../context.js';
import { unwrap } from '../../../errors.js';

/** The auditor's scope (their organisation), or a 403 before any work is done for them. */
export const auditScope = (c: { var: AppEnv['Variables'] }) => unwrap(authoriseAudit(c.var.actor)).scope;

/**
 * Queries by plan read the per-plan lookup: have the writer thread bring it up to date first, so this
 * event loop stays free for responders. The query still catches up itself (a few events, or all of them
 * should the writer be unable), so nothing is ever missed.
 */
export const planLookupReady = (s: AppServices) => s.accessLog.planLookup().catch(() => undefined);
