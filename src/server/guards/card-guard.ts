import { sha256Hex } from '../../plans/core/canonical.js';
import type { Clock } from '../../plans/core/clock.js';
import { memoryCounters, memoryHandoffs, type Counter, type Counters, type Handoffs } from './shared-state.js';

const MINUTE = 60_000;
const SCAN_TO_PAGE_MS = 2 * MINUTE;

/**
 * Rate limits on card look-ups (`/q/*` and typed codes). A token or code can only be guessed by trying
 * many, so a client's failed look-ups are limited hard, all look-ups more loosely, and each card on its
 * own: per (card, client), so one responder re-scanning a card cannot lock it for the crew, plus a
 * generous ceiling across clients (a photographed card passed around). Anonymous hits are limited per
 * address before sign-in.
 */
export function createCardGuard(clock: Clock, shared: { counters?: Counters; handoffs?: Handoffs } = {}) {
  const counters = shared.counters ?? memoryCounters(clock);
  const handoffs = shared.handoffs ?? memoryHandoffs(clock);
  const anonymous: Counter = { name: 'card-anonymous', windows: [{ limit: 60, windowMs: 10 * MINUTE }] };
  const attempts: Counter = { name: 'card-attempts', windows: [{ limit: 30, windowMs: 10 * MINUTE }] };
  const failures: Counter = { name: 'card-failures', windows: [{ limit: 5, windowMs: 15 * MINUTE }] };
  const perCardClient: Counter = { name: 'card-client', windows: [{ limit: 20, windowMs: 10 * MINUTE }] };
  const perCard: Counter = { name: 'card', windows: [{ limit: 200, windowMs: 10 * MINUTE }] };
  // Keys are hashed: the card's secret should not sit in memory longer than the request needs it.
  const cardKey = (secret: string) => sha256Hex(secret).slice(0, 32);

  return {
    /** Counts an anonymous hit; seconds to wait when over the limit. */
    anonymousHit: async (address: string) => (await counters.attempt([[anonymous, address]])).wait,
    /**
     * Counts a look-up by a signed-in client: seconds to wait when any limit is reached, and the client's
     * failed look-ups in their window (for the access event, read in the same breath).
     */
    async attempt(client: string, cardSecret: string): Promise<{ wait?: number; failures: number }> {
      const key = cardKey(cardSecret);
      const a = await counters.attempt(
        [
          [attempts, client],
          [perCardClient, `${key}|${client}`],
          [perCard, key],
        ],
        [[failures, client]],
      );
      return { wait: a.wait, failures: a.seen(failures, client) };
    },
    /** Records a failed look-up (unknown or revoked card); returns the client's failures in the window. */
    failed: (client: string) => counters.hit(failures, client),
    failuresOf: (client: string) => counters.count(failures, client),
    /**
     * A scan that resolved to this plan: the plan page it redirects to belongs to the card channel. Kept
     * where every node can take it (the redirect may reach another node), by `?via=qr` alone it is not.
     */
    scanned: (client: string, planId: string) => handoffs.put(`scan|${client}|${planId}`, '1', SCAN_TO_PAGE_MS),
    /** Whether this client's plan page follows its scan (once: a reload is an ordinary web view). */
    takeScan: async (client: string, planId: string) => (await handoffs.take(`scan|${client}|${planId}`)) !== undefined,
  };
}
export type CardGuard = ReturnType<typeof createCardGuard>;
