import { and, desc, eq, gt, isNull, or } from 'drizzle-orm';
import { schema, type Db } from '../../../db/index.js';
import { authoriseCards } from '../policy.js';
import type { Actor } from '../core/actor.js';
import { sha256Hex } from '../core/canonical.js';
import { newCardToken, newShortCode } from './code.js';
import { fail, ok, type Result } from '../core/result.js';
import { findPlan } from '../versions/store.js';

const { planCards } = schema;
const immediate = { behavior: 'immediate' } as const;
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

const stillWorking = (nowIso: string) => or(isNull(planCards.revokedAt), gt(planCards.revokedAt, nowIso));

function cardPlan(db: Db, actor: Actor, planId: string) {
  const plan = findPlan(db, planId);
  if (!plan) return fail('not_found', 'no such plan');
  const allowed = authoriseCards(actor, plan.owningOrg);
  return allowed.ok ? ok(plan) : allowed;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';

/**
 * A new card for a published plan. Every card still working for the plan is revoked, at once or at
 * `graceUntil`, in the same transaction, so there is never more than one current card.
 */
export function issueCard(db: Db, actor: Actor, planId: string, opts: { graceUntil?: Date }, now: Date): Result<IssuedCard> {
  const found = cardPlan(db, actor, planId);
  if (!found.ok) return found;
  const plan = found.value;
  if (plan.currentVersionId === null) {
    return fail('conflict', plan.withdrawnAt ? 'this plan has been withdrawn: no card can be issued' : 'publish the plan before issuing a card for it');
  }
  const nowIso = now.toISOString();
  if (opts.graceUntil) {
    const days = (opts.graceUntil.getTime() - now.getTime()) / 86_400_000;
    if (days <= 0 || days > MAX_GRACE_DAYS) {
      return fail('invalid', `graceUntil must be in the future and at most ${MAX_GRACE_DAYS} days away`);
    }
  }
  const oldCardsEnd = (opts.graceUntil ?? now).toISOString();
  for (let attempt = 0; ; attempt++) {
    const token = newCardToken();
    const code = newShortCode();
    try {
      return db.transaction((tx) => {
        const working = tx
          .select({ id: planCards.id, revokedAt: planCards.revokedAt })
          .from(planCards)
          .where(and(eq(planCards.planId, planId), stillWorking(nowIso)))
          .all();
        const replaced = working.map((c) => ({
          cardId: c.id,
          // A card already in a grace period never gets longer because another card was issued.
          revokedAt: c.revokedAt && c.revokedAt < oldCardsEnd ? c.revokedAt : oldCardsEnd,
        }));
        for (const r of replaced) {
          tx.update(planCards).set({ revokedAt: r.revokedAt, revokedBy: actor.sub }).where(eq(planCards.id, r.cardId)).run();
        }
        const { id } = tx
          .insert(planCards)
          .values({ planId, tokenHash: sha256Hex(token), codeHash: sha256Hex(code), issuedBy: actor.sub, issuedAt: nowIso })
          .returning({ id: planCards.id })
          .get();
        return ok({ cardId: id, planId, owningOrg: plan.owningOrg, token, code, issuedAt: nowIso, replaced });
      }, immediate);
    } catch (e) {
      // 50-bit codes can collide once in a blue moon; draw again rather than fail the author.
      if (isUniqueViolation(e) && attempt < 3) continue;
      throw e;
    }
  }
}

/** Stops every card of the plan working now (a lost or shared card, or the person asked). */
export function revokeCards(db: Db, actor: Actor, planId: string, now: Date): Result<{ revoked: number }> {
  const found = cardPlan(db, actor, planId);
  if (!found.ok) return found;
  const nowIso = now.toISOString();
  const { changes } = db
    .update(planCards)
    .set({ revokedAt: nowIso, revokedBy: actor.sub })
    .where(and(eq(planCards.planId, planId), stillWorking(nowIso)))
    .run();
  if (changes === 0) return fail('not_found', 'this plan has no card in use');
  return ok({ revoked: changes });
}

export function listCards(db: Db, actor: Actor, planId: string, now: Date): Result<CardSummary[]> {
  const found = cardPlan(db, actor, planId);
  if (!found.ok) return found;
  const nowIso = now.toISOString();
  const rows = db.select().from(planCards).where(eq(planCards.planId, planId)).orderBy(desc(planCards.id)).all();
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
  const byToken = db.$client.prepare<[string], { id: number; planId: string; revokedAt: string | null }>(
    'SELECT id, plan_id AS planId, revoked_at AS revokedAt FROM plan_cards WHERE token_hash = ?',
  );
  const byCode = db.$client.prepare<[string], { id: number; planId: string; revokedAt: string | null }>(
    'SELECT id, plan_id AS planId, revoked_at AS revokedAt FROM plan_cards WHERE code_hash = ?',
  );
  const resolve = (row: { id: number; planId: string; revokedAt: string | null } | undefined, now: Date) => {
    if (!row) return { ok: false as const, miss: 'unknown' as CardMiss };
    if (row.revokedAt !== null && row.revokedAt <= now.toISOString()) {
      return { ok: false as const, miss: 'revoked' as CardMiss, cardId: row.id };
    }
    return { ok: true as const, card: { cardId: row.id, planId: row.planId } };
  };
  return {
    /** `token` must already match TOKEN_PATTERN; `code` must be a parsed, normalised short code. */
    byToken: (token: string, now: Date) => resolve(byToken.get(sha256Hex(token)), now),
    byCode: (code: string, now: Date) => resolve(byCode.get(sha256Hex(code)), now),
  };
}
export type CardResolver = ReturnType<typeof cardResolver>;
export type CardResolution = ReturnType<CardResolver['byToken']>;
