import { hasRole, isHealthOrg, type Actor, type Role } from './core/actor.js';
import type { AgreementQueries } from './organisations.js';
import { fail, ok, type Result } from './core/result.js';
import type { VersionStatus } from '../../db/schema/plans.js';

/** Why a read was allowed: recorded with the access event so an auditor can see the legal basis. */
export type ReadGrant = { basis: 'own-organisation' } | { basis: 'agreement'; agreement: string } | { basis: 'emergency'; reason: string };

/**
 * Looked up by the owning organisation's reference, a plan the caller may not read answers exactly as
 * an unknown reference would: otherwise an organisation with no agreement could test which references
 * exist. (By plan id the refusal is explicit: ids are random and come from a search or card the caller
 * was allowed.) The access log still records the real reason.
 */
export const concealedByReference = (code: string) => code === 'forbidden';

/** A responder's request to open a plan outside any agreement, with the reason they give. */
export type ReadOptions = { emergencyReason?: string };

// Every "who may" rule of the service, in one place. Each function answers for one kind of act; callers
// in the domain (reads, workflow, history, cards, the access log's queries) and search ask here, per plan.

/** People read refusals: organisations by name (the access log keeps the slugs). */
const orgName = async (agreements: AgreementQueries, slug: string) => (await agreements.organisation(slug))?.name ?? slug;

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
export async function authoriseRead(
  actor: Actor,
  owningOrg: string,
  day: string,
  agreements: AgreementQueries,
  options: ReadOptions = {},
): Promise<Result<ReadGrant>> {
  const staff = hasRole(actor, 'author') || hasRole(actor, 'approver');
  if (actor.org === owningOrg && (staff || hasRole(actor, 'responder'))) return ok({ basis: 'own-organisation' });
  if (!hasRole(actor, 'responder')) {
    return fail(
      'forbidden',
      staff ? "authors and approvers may only read their own organisation's plans" : 'your role does not give access to plan content',
    );
  }
  const agreement = await agreements.agreementInForce(actor.org, owningOrg, day);
  if (!agreement && options.emergencyReason) {
    if (isHealthOrg(actor.orgKind)) return ok({ basis: 'emergency', reason: options.emergencyReason });
    return fail(
      'forbidden',
      `no data-sharing agreement in force between ${await orgName(agreements, actor.org)} and ${await orgName(agreements, owningOrg)}, and police have no emergency access`,
      {
        reason: 'no-agreement',
      },
    );
  }
  if (!agreement) {
    return fail(
      'forbidden',
      `no data-sharing agreement in force between ${await orgName(agreements, actor.org)} and ${await orgName(agreements, owningOrg)}`,
      {
        reason: 'no-agreement',
      },
    );
  }
  return ok({ basis: 'agreement', agreement });
}

/** Authors and approvers act only on their own organisation's plans, and only in their role. */
export function authoriseWrite(actor: Actor, owningOrg: string, role: 'author' | 'approver'): Result<true> {
  if (!hasRole(actor, role)) return fail('forbidden', `this needs the ${role} role`);
  if (actor.org !== owningOrg) return fail('forbidden', `only ${owningOrg}'s own staff may change this plan`);
  return ok(true);
}

/** What the publishing rules need of a plan: whose it is, and which version responders see now. */
export type PlanFacts = { owningOrg: string; currentVersionId: number | null };
/** ...and of a version: its state, everyone who wrote or edited it, and the published version it started from. */
export type VersionFacts = { status: VersionStatus; authors: readonly string[]; baseVersionId: number | null };

/**
 * Stale base: a version is written from the version responders saw then. If the plan has been published
 * again (or withdrawn) since, publishing this one would silently undo that change, so it is refused and
 * the author starts again from the plan as it stands.
 */
export function authoriseBase(plan: PlanFacts, version: Pick<VersionFacts, 'baseVersionId'>): Result<true> {
  if (plan.currentVersionId === version.baseVersionId) return ok(true);
  return fail('conflict', 'the plan was published again since this version was written: start a new draft from the current version', {
    reason: 'stale-base',
  });
}

/**
 * Approval, as far as who and when decide it: an approver of the owning organisation (authoriseWrite),
 * who wrote or edited none of the version (four-eyes: authors only grow, so this holds across returns),
 * against the plan as it stands (authoriseBase). approve() asks this inside its transaction; the queue
 * and the review page ask it before offering "Approve", and say why not by the reason code.
 */
export function authoriseApproval(actor: Actor, plan: PlanFacts, version: Pick<VersionFacts, 'authors' | 'baseVersionId'>): Result<true> {
  const approver = authoriseWrite(actor, plan.owningOrg, 'approver');
  if (!approver.ok) return approver;
  if (version.authors.includes(actor.sub))
    return fail('forbidden', 'four-eyes: you wrote part of this version, so someone else must approve it', { reason: 'four-eyes' });
  return authoriseBase(plan, version);
}

/**
 * Who withdraws a version. Taking the published version away from responders (and out of search) is an
 * approver's decision; an open draft or a version in review is its organisation's authors' or
 * approvers' to drop. With no version (`undefined`, not found) the answer is as for a draft, so that
 * nobody outside the organisation learns which version numbers exist.
 */
export function authoriseWithdrawal(actor: Actor, owningOrg: string, status: VersionStatus | undefined): Result<true> {
  if (status === 'published') {
    const asApprover = authoriseWrite(actor, owningOrg, 'approver');
    if (asApprover.ok || actor.org !== owningOrg) return asApprover;
    return fail('forbidden', 'withdrawing the published plan takes it away from responders: that is for an approver', {
      reason: 'approver-withdraws',
    });
  }
  const asAuthor = authoriseWrite(actor, owningOrg, 'author');
  if (asAuthor.ok) return asAuthor;
  const asApprover = authoriseWrite(actor, owningOrg, 'approver');
  return asApprover.ok ? asApprover : asAuthor;
}

/** What a plan's console page may offer; each is false whenever the domain would refuse it. */
export type ConsoleActions = {
  /** Edit the open draft, preview it and send it for review. */
  edit: boolean;
  submit: boolean;
  /** Start a new draft from the published version. */
  startDraft: boolean;
  /** Open the version in review (whether it may be approved there is authoriseApproval's). */
  review: boolean;
  /** Withdraw the published version. */
  withdraw: boolean;
  cards: boolean;
};

/**
 * The console's offers for `actor` on a plan whose newest version is `latest`, from the rules above and
 * the states the workflow's compare-and-set needs (edit and submit a draft, decide one in review, one open
 * version at a time, a new draft copies the published one), so a page never shows a button that fails.
 */
export function consoleActions(actor: Actor, plan: PlanFacts, latest: VersionFacts): ConsoleActions {
  const author = authoriseWrite(actor, plan.owningOrg, 'author').ok;
  const published = plan.currentVersionId !== null;
  const open = latest.status === 'draft' || latest.status === 'in-review';
  return {
    edit: author && latest.status === 'draft',
    submit: author && latest.status === 'draft',
    startDraft: author && !open && published,
    review: latest.status === 'in-review' && authoriseWrite(actor, plan.owningOrg, 'approver').ok,
    withdraw: published && authoriseWithdrawal(actor, plan.owningOrg, 'published').ok,
    cards: published && authoriseCards(actor, plan.owningOrg).ok,
  };
}

/**
 * Who changes the register of organisations and agreements: a signed-in administrator, or the operator
 * at the machine's command line (trusted as the CLI always was; recorded as `cli:<os user>`).
 */
export type Operator = { via: 'api' | 'web'; actor: Actor } | { via: 'cli'; user: string };

/**
 * Administrators (admin role only) all see the whole register: organisations and agreements are not
 * personal data, and every administrator needs to know who their partners are.
 */
export function authoriseAdmin(op: Operator): Result<true> {
  if (op.via === 'cli' || hasRole(op.actor, 'admin')) return ok(true);
  return fail('forbidden', 'this needs the admin role');
}

/**
 * Acts that decide what an organisation's people may see, so no organisation's administrator may do them,
 * for its own organisation or any other: admitting an organisation to the register (and setting up its
 * first sign-in), changing its kind (a police force that calls itself an emergency department sees
 * diagnoses and gains emergency access), and re-admitting a disabled one (whose own administrators can no
 * longer sign in). They belong to the operator of the service, at the command line; there is no
 * service-operator role a token or sign-in could carry.
 */
export const operatorActs = ['add-organisation', 'change-kind', 'enable-organisation'] as const;
export type OperatorAct = (typeof operatorActs)[number];
const operatorActWords: Record<OperatorAct, string> = {
  'add-organisation': 'adding an organisation',
  'change-kind': "changing an organisation's kind",
  'enable-organisation': 'enabling a disabled organisation',
};

export function authoriseOperatorAct(op: Operator, act: OperatorAct): Result<true> {
  if (op.via === 'cli') return ok(true);
  return fail(
    'forbidden',
    `${operatorActWords[act]} is for the operator of the service (npm run cli), not an organisation's administrator`,
    {
      reason: 'operator-only',
    },
  );
}

/**
 * An organisation's own record (name, contact, identity provider and sign-in settings, disabling) is
 * changed by its own administrators; its kind is not (authoriseOperatorAct).
 */
export function authoriseOrganisationChange(op: Operator, slug: string): Result<true> {
  const admin = authoriseAdmin(op);
  if (!admin.ok || op.via === 'cli') return admin;
  if (op.actor.org !== slug) return fail('forbidden', `only ${slug}'s own administrators may change its record`);
  return ok(true);
}

/**
 * An agreement is proposed, a change to it proposed, or ended, only by an administrator of one of its
 * parties. Proposing binds nobody else: the terms are in force only once every party has accepted them
 * (authoriseAgreementAnswer). Ending needs no one else's consent: any party may withdraw at once.
 */
export function authoriseAgreementChange(op: Operator, parties: readonly string[]): Result<true> {
  const admin = authoriseAdmin(op);
  if (!admin.ok || op.via === 'cli') return admin;
  if (!parties.includes(op.actor.org))
    return fail('forbidden', `${op.actor.org} is not a party to this agreement`, { reason: 'not-a-party' });
  return ok(true);
}

/**
 * For which party `op` may accept or decline a proposed agreement or change. An administrator answers
 * for their own organisation only, and only when it is a party: no organisation decides for another.
 * The service operator at the command line answers for the party it names, and only to record that it
 * holds that party's signed agreement (the acceptance says so, by `cli:<os user>`).
 */
export function authoriseAgreementAnswer(op: Operator, parties: readonly string[], onBehalfOf?: string): Result<{ org: string }> {
  const admin = authoriseAdmin(op);
  if (!admin.ok) return admin;
  const org = op.via === 'cli' ? onBehalfOf : op.actor.org;
  if (!org) return fail('invalid', 'name the party whose signed agreement is held', { reason: 'party-required' });
  if (op.via !== 'cli' && onBehalfOf !== undefined && onBehalfOf !== org) {
    return fail('forbidden', 'an organisation answers only for itself', { reason: 'not-your-organisation' });
  }
  if (!parties.includes(org)) return fail('forbidden', `${org} is not a party to this agreement`, { reason: 'not-a-party' });
  return ok({ org });
}

/**
 * An auditor reviews the flags in their own scope, the same scope as the log they read: events about
 * their organisation's plans (including searches that surfaced them) and events by their organisation's
 * people. A flag outside it is, to them, not found.
 */
export function authoriseFlagReview(actor: Actor): Result<{ scope: string }> {
  if (!hasRole(actor, 'auditor')) return fail('forbidden', 'reviewing flags needs the auditor role');
  return ok({ scope: actor.org });
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

/** Authors manage cards for their own organisation's plans. */
export const authoriseCards = (actor: Actor, owningOrg: string): Result<true> => authoriseWrite(actor, owningOrg, 'author');

/**
 * Authors print the person's own copy of their plan for their own organisation's plans: they are the
 * ones who write it with the person. Approvers, other trusts and responders may not (their work is not
 * handing the person their plan).
 */
export const authorisePersonCopy = (actor: Actor, owningOrg: string): Result<true> => authoriseWrite(actor, owningOrg, 'author');

/**
 * Auditors read the log of their own organisation: its plans, its staff, searches that surfaced its plans,
 * and governance events and flag reviews concerning it (their query's `orgs`, see governance/log.ts).
 */
export function authoriseAudit(actor: Actor): Result<{ scope: string }> {
  if (!hasRole(actor, 'auditor')) return fail('forbidden', 'reading the access log needs the auditor role');
  return ok({ scope: actor.org });
}

/** The person's access report: only the owning organisation's auditors (for a subject-access request). */
export function authoriseAccessReport(actor: Actor, owningOrg: string): Result<true> {
  const audit = authoriseAudit(actor);
  if (!audit.ok) return audit;
  if (owningOrg !== actor.org) return fail('forbidden', "auditors may only report on their own organisation's plans");
  return ok(true);
}

/** Responders (within their agreements) and plan authors and approvers (their own organisation's plans). */
const searchRoles: readonly Role[] = ['responder', 'author', 'approver'];
export const canSearch = (actor: Actor) => searchRoles.some((r) => hasRole(actor, r));

/** Whose plans a search by `actor` on `day` may return: the owning organisations in scope. */
export async function searchScope(
  actor: Actor,
  day: string,
  agreements: Pick<AgreementQueries, 'visibleOwners'>,
): Promise<Result<string[]>> {
  if (hasRole(actor, 'responder')) return ok(await agreements.visibleOwners(actor.org, day));
  if (canSearch(actor)) return ok([actor.org]);
  return fail('forbidden', 'searching for people is for responders and plan authors; your role cannot search');
}

/** The approver's queue: versions in review in the approver's own organisation. */
export function authoriseReviewQueue(actor: Actor): Result<{ scope: string }> {
  if (!hasRole(actor, 'approver')) return fail('forbidden', 'the review queue is for approvers');
  return ok({ scope: actor.org });
}

/** The authoring console's list of plans: the organisation's own authors and approvers. */
export function authoriseConsole(actor: Actor): Result<{ scope: string }> {
  if (!hasRole(actor, 'author') && !hasRole(actor, 'approver')) return fail('forbidden', 'the plans console is for authors and approvers');
  return ok({ scope: actor.org });
}

/** The parts of the service a person's roles open, in the order the page header offers them. */
export const consoles = ['search', 'plans', 'reviews', 'audit', 'admin'] as const;
export type ConsoleName = (typeof consoles)[number];

/** Pages ask here what to link to, so a link is offered only where the rule above would let the person in. */
export function consolesOf(actor: Actor): ConsoleName[] {
  const open: Record<ConsoleName, boolean> = {
    search: canSearch(actor),
    plans: authoriseConsole(actor).ok,
    reviews: authoriseReviewQueue(actor).ok,
    audit: authoriseAudit(actor).ok,
    admin: authoriseAdmin({ via: 'web', actor }).ok,
  };
  return consoles.filter((c) => open[c]);
}
