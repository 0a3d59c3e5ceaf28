import { createHmac, randomBytes } from 'node:crypto';
import type { AccessEventInput } from '../../plans/access-log/log.js';
import type { Clock } from '../../plans/core/clock.js';
import { accessLogUnavailable } from '../errors.js';

/**
 * Refusals that anyone can cause from outside (rate limits, anonymous card hits, bad or missing tokens)
 * must not each cost an fsynced row: a flood would fill the disk and slow every real request's commit.
 * So, per (client, reason) and window: the first refusal is logged at once as an ordinary denied event
 * (a single refusal is visible straight away); later ones are only counted; when the window ends one
 * summarising event carries the count. At most two rows per client and reason per window, and at most
 * `maxClients` clients are tracked: beyond that the overflow is counted into one "other clients" row.
 */
export type Refusal = {
  /** Who is refused: `actor:org/sub` when signed in, else `addr:<address>`. Never logged as given. */
  client: string;
  /** Groups refusals within a client: a short code, no detail (e.g. `rate-limited`). */
  reason: string;
  /** The ordinary denied event, written for the first refusal of a window. */
  event: AccessEventInput;
};

type Entry = { tag: string; reason: string; from: number; count: number; template: AccessEventInput; overflow: boolean };

export type RefusalSummaryOptions = {
  clock: Clock;
  record: (e: AccessEventInput) => Promise<void>;
  windowMs?: number;
  maxClients?: number;
  /** Operational errors only (a summary that could not be written). */
  onError?: (err: Error) => void;
};

export function createRefusalSummary(opts: RefusalSummaryOptions) {
  const windowMs = opts.windowMs ?? 60_000;
  const maxClients = opts.maxClients ?? 500;
  // Addresses are personal data and the log is permanent: only a keyed, truncated hash goes in, enough
  // to tell one client's refusals from another's within this process's life, not to recover the address.
  const key = randomBytes(32);
  const tagOf = (client: string) =>
    client.startsWith('actor:') ? 'actor' : createHmac('sha256', key).update(client).digest('hex').slice(0, 16);
  const entries = new Map<string, Entry>();
  let tracked = 0;

  function summary(e: Entry, to: number): AccessEventInput {
    const t = e.template;
    const who = e.overflow ? `other clients (over ${maxClients} in the window)` : 'this client';
    return {
      actor: e.overflow ? null : t.actor,
      action: t.action,
      channel: t.channel,
      purpose: null,
      planId: null,
      query: { summary: { refusals: e.count, from: new Date(e.from).toISOString(), to: new Date(to).toISOString(), client: e.tag } },
      outcome: 'denied',
      reason: `${e.reason} (summary): ${e.count} more from ${who} in this window`,
    };
  }

  async function write(done: Entry[], now: number) {
    await Promise.all(
      done
        .filter((e) => e.count > 0)
        .map((e) => opts.record(summary(e, Math.min(now, e.from + windowMs))).catch((err: Error) => opts.onError?.(err))),
    );
  }

  /** Writes the summaries of every window that has ended (all of them when `all`). */
  async function flush(all = false) {
    const now = opts.clock().getTime();
    const done: Entry[] = [];
    for (const [k, e] of entries) {
      if (all || now >= e.from + windowMs) {
        entries.delete(k);
        if (!e.overflow) tracked--;
        done.push(e);
      }
    }
    await write(done, now);
  }

  const timer = setInterval(() => void flush(), Math.max(1000, Math.min(windowMs, 15_000)));
  timer.unref();

  return {
    /** Resolves once the refusal is accounted for; rejects (AppError unavailable) if its first event could not be written. */
    async refuse(r: Refusal): Promise<void> {
      const now = opts.clock().getTime();
      const k = `${r.client}\u0000${r.reason}\u0000${r.event.action}\u0000${r.event.channel}`;
      const e = entries.get(k);
      if (e && now < e.from + windowMs) {
        e.count++;
        return;
      }
      if (e) {
        // Its window ended and the timer has not come round yet: close it now.
        entries.delete(k);
        tracked--;
        void write([e], now);
      }
      if (tracked >= maxClients) {
        const ok = `\u0000other\u0000${r.reason}\u0000${r.event.action}\u0000${r.event.channel}`;
        const other = entries.get(ok);
        if (other) other.count++;
        else entries.set(ok, { tag: 'other', reason: r.reason, from: now, count: 1, template: r.event, overflow: true });
        return;
      }
      const tag = tagOf(r.client);
      entries.set(k, { tag, reason: r.reason, from: now, count: 0, template: r.event, overflow: false });
      tracked++;
      const event = r.client.startsWith('actor:') ? r.event : { ...r.event, query: { ...r.event.query, client: tag } };
      try {
        await opts.record(event);
      } catch {
        throw accessLogUnavailable();
      }
    },
    flush: () => flush(false),
    /** Writes every open window's summary now and stops the timer (before the access log closes). */
    async close() {
      clearInterval(timer);
      await flush(true);
    },
  };
}
export type RefusalSummary = ReturnType<typeof createRefusalSummary>;
