// Cards' statements, written once for both dialects (db/runtime.ts).
import { and, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { all, lock, one, run, type Store } from '../../../db/runtime.js';

export type CardRow = Store['t']['planCards']['$inferSelect'];
export type NewCard = { planId: string; tokenHash: string; codeHash: string; issuedBy: string; issuedAt: string };
export type Replaced = { cardId: number; revokedAt: string };

const stillWorking = (t: Store['t'], nowIso: string) => or(isNull(t.planCards.revokedAt), gt(t.planCards.revokedAt, nowIso));

/**
 * Stores a card and ends every card still working for the plan (at once, or at `oldCardsEnd`) in one
 * transaction, so a plan never has two current cards. `withdrawn`: the plan lost its published version
 * meanwhile. A code or token that collides throws a unique violation (the caller draws again).
 */
export function storeCard(db: Store, card: NewCard, oldCardsEnd: string, revokedBy: string) {
  const { plans, planCards } = db.t;
  return db.tx(function* (q) {
    yield* lock(`cards:${card.planId}`);
    const plan = yield* one(q.select({ current: plans.currentVersionId }).from(plans).where(eq(plans.id, card.planId)));
    if (plan?.current == null) return { withdrawn: true as const };
    const working = yield* all(
      q
        .select({ id: planCards.id, revokedAt: planCards.revokedAt })
        .from(planCards)
        .where(and(eq(planCards.planId, card.planId), stillWorking(db.t, card.issuedAt))),
    );
    const replaced: Replaced[] = working.map((c) => ({
      cardId: c.id,
      // A card already in a grace period never gets longer because another card was issued.
      revokedAt: c.revokedAt && c.revokedAt < oldCardsEnd ? c.revokedAt : oldCardsEnd,
    }));
    for (const r of replaced) {
      yield* run(q.update(planCards).set({ revokedAt: r.revokedAt, revokedBy }).where(eq(planCards.id, r.cardId)));
    }
    const { id } = yield* one(q.insert(planCards).values(card).returning({ id: planCards.id }));
    return { withdrawn: false as const, cardId: id, replaced };
  });
}

/** Ends every card of the plan still working at `nowIso`; the number ended. */
export function revokeWorkingCards(db: Store, planId: string, nowIso: string, revokedBy: string) {
  const { planCards } = db.t;
  return db.exec(
    db.q
      .update(planCards)
      .set({ revokedAt: nowIso, revokedBy })
      .where(and(eq(planCards.planId, planId), stillWorking(db.t, nowIso))),
  );
}

export function cardsOfPlan(db: Store, planId: string): Promise<CardRow[]> {
  const { planCards } = db.t;
  return db.many(db.q.select().from(planCards).where(eq(planCards.planId, planId)).orderBy(desc(planCards.id)));
}

export type CardKey = { id: number; planId: string; revokedAt: string | null };
/** Look-ups by the hash of a card's token or typed code: prepared once, on the scan path. */
export function cardLookups(db: Store) {
  const { planCards } = db.t;
  const by = (name: string, column: typeof planCards.tokenHash | typeof planCards.codeHash) =>
    db.prepared<{ hash: string }, CardKey>(name, (q) =>
      q
        .select({ id: planCards.id, planId: planCards.planId, revokedAt: planCards.revokedAt })
        .from(planCards)
        .where(eq(column, sql.placeholder('hash'))),
    );
  const byToken = by('card_by_token', planCards.tokenHash);
  const byCode = by('card_by_code', planCards.codeHash);
  return {
    byTokenHash: (hash: string) => byToken.one({ hash }),
    byCodeHash: (hash: string) => byCode.one({ hash }),
  };
}
