import type { Db } from '../../../db/index.js';
import { isUniqueViolation } from '../../../db/runtime.js';
import { authoriseCards } from '../policy.js';
import type { Actor } from '../core/actor.js';
import { sha256Hex } from '../core/canonical.js';
import { newCardToken, newShortCode } from './code.js';
import { fail, ok, type Result } from '../core/result.js';
import { findPlan } from '../versions/store.js';
import { cardLookups, cardsOfPlan, revokeWorkingCards, storeCard as insertCard, type CardKey } from './store.js';

/** A replaced card may keep working for a while (the person may not have the new one yet), but not for long. */
export const MAX_GRACE_DAYS = 90;

export type IssuedCard = {
  cardId: number;
  planId: string;
  owningOrg: string;
  /** The secrets, returned once: only their hashes are stored. */
  token: string;
  code: string;
  issuedAt: string;
  /** Cards this one replaces, and when each stops working. */
  replaced: { cardId: number; revokedAt: string }[];
};

export type CardStatus = 'current' | 'grace' | 'revoked';
export type CardSummary = { cardId: number; issuedBy: string; issuedAt: string; revokedAt: string | null; status: CardStatus };

async function cardPlan(db: Db, actor: Actor, planId: string) {
  const plan = await findPlan(db, planId);
  if (!plan) return fail('not_found', 'no such plan');
  const allowed = authoriseCards(actor, plan.owningOrg);
  return allowed.ok ? ok(plan) : allowed;
}

/** A card's secrets, drawn but not yet stored: what the printed card needs. */
export type CardSecrets = { planId: string; owningOrg: string; token: string; code: string };
type Draft = CardSecrets & { nowIso: string; oldCardsEnd: string };

/** Authorises and checks the request, and draws the secrets; stores nothing. */
async function draftCard(
  db: Db,
  actor: Actor,
  planId: string,
  opts: { graceUntil?: Date },
  now: Date,
): Promise<Result<Omit<Draft, 'token' | 'code'>>> {
  const found = await cardPlan(db, actor, planId);
  if (!found.ok) return found;
  const plan = found.value;
  if (plan.currentVersionId === null) {
    return fail(
      'conflict',
      plan.withdrawnAt ? 'this plan has been withdrawn: no card can be issued' : 'publish the plan before issuing a card for it',
    );
  }
  if (opts.graceUntil) {
    const days = (opts.graceUntil.getTime() - now.getTime()) / 86_400_000;
    if (days <= 0 || days > MAX_GRACE_DAYS) {
      return fail('invalid', `graceUntil must be in the future and at most ${MAX_GRACE_DAYS} days away`);
    }
  }
  return ok({ planId, owningOrg: plan.owningOrg, nowIso: now.toISOString(), oldCardsEnd: (opts.graceUntil ?? now).toISOString() });
}

const withSecrets = (d: Omit<Draft, 'token' | 'code'>): Draft => ({ ...d, token: newCardToken(), code: newShortCode() });

/** Stores the card, replacing the plan's working cards (store.ts). `undefined`: the code collided. */
async function storeCard(db: Db, actor: Actor, d: Draft): Promise<Result<IssuedCard> | undefined> {
  try {
    const stored = await insertCard(
      db,
      { planId: d.planId, tokenHash: sha256Hex(d.token), codeHash: sha256Hex(d.code), issuedBy: actor.sub, issuedAt: d.nowIso },
      d.oldCardsEnd,
      actor.sub,
    );
    // The plan may have been withdrawn while the card was being rendered.
    if (stored.withdrawn) return fail('conflict', 'this plan has been withdrawn: no card can be issued');
    const { cardId, replaced } = stored;
    return ok({ cardId, planId: d.planId, owningOrg: d.owningOrg, token: d.token, code: d.code, issuedAt: d.nowIso, replaced });
  } catch (e) {
    if (isUniqueViolation(e)) return undefined;
    throw e;
  }
}

/** 50-bit codes can collide once in a blue moon; draw again rather than fail the author. */
const ATTEMPTS = 4;

/** A new card for a published plan, with nothing printed (bulk set-ups). See issuePrintedCard. */
export async function issueCard(db: Db, actor: Actor, planId: string, opts: { graceUntil?: Date }, now: Date): Promise<Result<IssuedCard>> {
  const draft = await draftCard(db, actor, planId, opts, now);
  if (!draft.ok) return draft;
  for (let attempt = 1; ; attempt++) {
    const stored = await storeCard(db, actor, withSecrets(draft.value));
    if (stored) return stored;
    if (attempt === ATTEMPTS) return fail('unavailable', 'could not draw an unused card code; try again');
  }
}

/**
 * A new card, rendered before anything is stored: if the card cannot be printed, the old card keeps
 * working and no card exists that nobody has seen. A render that throws stores nothing either.
 */
export async function issuePrintedCard<A>(
  db: Db,
  actor: Actor,
  planId: string,
  opts: { graceUntil?: Date },
  now: Date,
  render: (card: CardSecrets) => Promise<Result<A>>,
): Promise<Result<IssuedCard & { artefacts: A }>> {
  const draft = await draftCard(db, actor, planId, opts, now);
  if (!draft.ok) return draft;
  for (let attempt = 1; ; attempt++) {
    const secrets = withSecrets(draft.value);
    const artefacts = await render(secrets);
    if (!artefacts.ok) return artefacts;
    const stored = await storeCard(db, actor, secrets);
    if (stored) return stored.ok ? ok({ ...stored.value, artefacts: artefacts.value }) : stored;
    if (attempt === ATTEMPTS) return fail('unavailable', 'could not draw an unused card code; try again');
  }
}

/** Stops every card of the plan working now (a lost or shared card, or the person asked). */
export async function revokeCards(db: Db, actor: Actor, planId: string, now: Date): Promise<Result<{ revoked: number }>> {
  const found = await cardPlan(db, actor, planId);
  if (!found.ok) return found;
  const changes = await revokeWorkingCards(db, planId, now.toISOString(), actor.sub);
  if (changes === 0) return fail('not_found', 'this plan has no card in use');
  return ok({ revoked: changes });
}

export async function listCards(db: Db, actor: Actor, planId: string, now: Date): Promise<Result<CardSummary[]>> {
  const found = await cardPlan(db, actor, planId);
  if (!found.ok) return found;
  const nowIso = now.toISOString();
  const rows = await cardsOfPlan(db, planId);
  return ok(
    rows.map((r) => ({
      cardId: r.id,
      issuedBy: r.issuedBy,
      issuedAt: r.issuedAt,
      revokedAt: r.revokedAt,
      status: r.revokedAt === null ? 'current' : r.revokedAt > nowIso ? 'grace' : 'revoked',
    })),
  );
}

export type CardLookup = { cardId: number; planId: string };
/** Why a card did not resolve: for the access log only; the responder sees the same page either way. */
export type CardMiss = 'unknown' | 'revoked';

/**
 * Token or typed code → the plan it belongs to. No actor: the caller authorises the plan read itself,
 * and an unknown and a revoked card look the same to the person scanning.
 */
export function cardResolver(db: Db) {
  const lookups = cardLookups(db);
  const resolve = (row: CardKey | undefined, now: Date) => {
    if (!row) return { ok: false as const, miss: 'unknown' as CardMiss };
    if (row.revokedAt !== null && row.revokedAt <= now.toISOString()) {
      return { ok: false as const, miss: 'revoked' as CardMiss, cardId: row.id };
    }
    return { ok: true as const, card: { cardId: row.id, planId: row.planId } };
  };
  return {
    /** `token` must already match TOKEN_PATTERN; `code` must be a parsed, normalised short code. */
    byToken: async (token: string, now: Date) => resolve(await lookups.byTokenHash(sha256Hex(token)), now),
    byCode: async (code: string, now: Date) => resolve(await lookups.byCodeHash(sha256Hex(code)), now),
  };
}
export type CardResolver = ReturnType<typeof cardResolver>;
export type CardResolution = Awaited<ReturnType<CardResolver['byToken']>>;
