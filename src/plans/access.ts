import { hasRole, isHealthOrg, type Actor } from './actor.js';
import type { AgreementQueries } from './organisations.js';
import { fail, ok, type Result } from './result.js';

/** Why a read was allowed: recorded with the access event so an auditor can see the legal basis. */
export type ReadGrant =
  | { basis: 'own-organisation' }
  | { basis: 'agreement'; agreement: string }
  | { basis: 'emergency'; reason: string };

/**
 * Looked up by the owning organisation's reference, a plan the caller may not read answers exactly as
 * an unknown reference would: otherwise an organisation with no agreement could test which references
 * exist. (By plan id the refusal is explicit: ids are random and come from a search or card the caller
 * was allowed.) The access log still records the real reason.
 */
export const concealedByReference = (code: string) => code === 'forbidden';

/** A responder's request to open a plan outside any agreement, with the reason they give. */
export type ReadOptions = { emergencyReason?: string };

/**
 * May `actor` read the published plan owned by `owningOrg` on `day`? Checked per plan, in the domain,
 * for every read path (API, web, QR, search results).
 *  - responders: their own organisation's plans, or another's while an agreement in force names both;
 *  - authors and approvers: their own organisation's plans only;
 *  - auditors and admins: no plan content (they see the access log, not the person's plan; auditors of
 *    the owning trust also see version history without content: authoriseHistory below);
 *  - emergency access (break-glass): a health responder (ambulance, ED, mental-health) whose organisation
 *    has no agreement covering the plan may open it by giving a reason; the grant says so, and the access
 *    log marks it for auditors and the person's report. Police have no such route.
 */
export function authoriseRead(
  actor: Actor,
  owningOrg: string,
  day: string,
  agreements: AgreementQueries,
  options: ReadOptions = {},
): Result<ReadGrant> {
  const staff = hasRole(actor, 'author') || hasRole(actor, 'approver');
  if (actor.org === owningOrg && (staff || hasRole(actor, 'responder'))) return ok({ basis: 'own-organisation' });
  if (!hasRole(actor, 'responder')) {
    return fail('forbidden', staff ? 'authors and approvers may only read their own organisation\'s plans' : 'your role does not give access to plan content');
  }
  const agreement = agreements.agreementInForce(actor.org, owningOrg, day);
  if (!agreement && options.emergencyReason) {
    if (isHealthOrg(actor.orgKind)) return ok({ basis: 'emergency', reason: options.emergencyReason });
    return fail('forbidden', `no data-sharing agreement in force between ${actor.org} and ${owningOrg}, and police have no emergency access`, {
      reason: 'no-agreement',
    });
  }
  if (!agreement) {
    return fail('forbidden', `no data-sharing agreement in force between ${actor.org} and ${owningOrg}`, {
      reason: 'no-agreement',
    });
  }
  return ok({ basis: 'agreement', agreement });
}

/**
 * A plan's history without its content: who wrote, submitted, approved or withdrew each version, when,
 * and the change summaries and comments. For the owning organisation's authors, approvers and auditors.
 */
export function authoriseHistory(actor: Actor, owningOrg: string): Result<true> {
  if (hasRole(actor, 'auditor') && actor.org === owningOrg) return ok(true);
  return authoriseVersionContent(actor, owningOrg);
}

/**
 * A version's content, any status, or a diff of two: for the people writing and approving it only.
 * Auditors check who looked and why; they need who/when/why of each change, not the diagnosis, so
 * (minimum necessary) they get the history above and never the content, as for current plans.
 */
export function authoriseVersionContent(actor: Actor, owningOrg: string): Result<true> {
  const asAuthor = authoriseWrite(actor, owningOrg, 'author');
  return asAuthor.ok ? asAuthor : authoriseWrite(actor, owningOrg, 'approver');
}

/** Authors and approvers act only on their own organisation's plans, and only in their role. */
export function authoriseWrite(actor: Actor, owningOrg: string, role: 'author' | 'approver'): Result<true> {
  if (!hasRole(actor, role)) return fail('forbidden', `this needs the ${role} role`);
  if (actor.org !== owningOrg) return fail('forbidden', `only ${owningOrg}'s own staff may change this plan`);
  return ok(true);
}
