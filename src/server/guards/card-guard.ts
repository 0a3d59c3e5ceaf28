import { sha256Hex } from '../../plans/core/canonical.js';
import type { Clock } from '../../plans/core/clock.js';
import { slidingWindow } from './rate-limit.js';

const MINUTE = 60_000;
const SCAN_TO_PAGE_MS = 2 * MINUTE;

/**
 * Rate limits on card look-ups (`/q/*` and typed codes). A token or code can only be guessed by trying
 * many, so a client's failed look-ups are limited hard, all look-ups more loosely, and each card on its
 * own: per (card, client), so one responder re-scanning a card cannot lock it for the crew, plus a
 * generous ceiling across clients (a photographed card passed around). Anonymous hits are limited per
 * address before sign-in.
 */
export function createCardGuard(clock: Clock) {
  const anonymous = slidingWindow({ limit: 60, windowMs: 10 * MINUTE, clock });
  const attempts = slidingWindow({ limit: 30, windowMs: 10 * MINUTE, clock });
  const failures = slidingWindow({ limit: 5, windowMs: 15 * MINUTE, clock });
  const perCardClient = slidingWindow({ limit: 20, windowMs: 10 * MINUTE, clock });
  const perCard = slidingWindow({ limit: 200, windowMs: 10 * MINUTE, clock });
  // Keys are hashed: the card's secret should not sit in memory longer than the request needs it.
  const cardKey = (secret: string) => sha256Hex(secret).slice(0, 32);
  // `?via=qr` is only a hint anyone can type; the channel is qr only when this client's scan just resolved.
  const scans = new Map<string, number>();

  return {
    /** Counts an anonymous hit; seconds to wait when over the limit. */
    anonymousHit(address: string): number | undefined {
      const wait = anonymous.blocked(address);
      if (wait === undefined) anonymous.hit(address);
      return wait;
    },
    /** Counts a look-up by a signed-in client; seconds to wait when any limit is reached. */
    attempt(client: string, cardSecret: string): number | undefined {
      const key = cardKey(cardSecret);
      const pair = `${key}|${client}`;
      const wait = failures.blocked(client) ?? attempts.blocked(client) ?? perCardClient.blocked(pair) ?? perCard.blocked(key);
      if (wait !== undefined) return wait;
      attempts.hit(client);
      perCardClient.hit(pair);
      perCard.hit(key);
      return undefined;
    },
    /** Records a failed look-up (unknown or revoked card); returns the client's failures in the window. */
    failed(client: string): number {
      return failures.hit(client);
    },
    failuresOf: (client: string) => failures.count(client),
    /** A scan that resolved to this plan: the plan page it redirects to belongs to the card channel. */
    scanned(client: string, planId: string) {
      if (scans.size >= 10_000) scans.delete(scans.keys().next().value!);
      scans.set(`${client}|${planId}`, clock().getTime());
    },
    /** Whether this client's plan page follows its scan (once: a reload is an ordinary web view). */
    takeScan(client: string, planId: string): boolean {
      const k = `${client}|${planId}`;
      const at = scans.get(k);
      scans.delete(k);
      return at !== undefined && clock().getTime() - at <= SCAN_TO_PAGE_MS;
    },
  };
}
export type CardGuard = ReturnType<typeof createCardGuard>;
