import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Store } from '../../../db/runtime.js';
import type { AccessEventInput } from '../../plans/access-log/log.js';
import type { Clock } from '../../plans/core/clock.js';
import { accessLogUnavailable } from '../errors.js';
import { refusalStore, type RefusalWindowRow } from './refusal-store.js';

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
  /**
   * Count windows in this database, together with every node on it, instead of in memory: one first event
   * and one summary per window for all nodes (shared-state.ts says when).
   */
  shared?: Store;
};

export function createRefusalSummary(opts: RefusalSummaryOptions): RefusalSummary {
  return opts.shared ? sharedRefusalSummary(opts, opts.shared) : memoryRefusalSummary(opts);
}
export type RefusalSummary = {
  /** Resolves once the refusal is accounted for; rejects (AppError unavailable) if its first event could not be written. */
  refuse(r: Refusal): Promise<void>;
  flush(): Promise<void>;
  /** Writes every open window's summary now and stops the timer (before the access log closes). */
  close(): Promise<void>;
};

function memoryRefusalSummary(opts: RefusalSummaryOptions): RefusalSummary {
  const windowMs = opts.windowMs ?? 60_000;
  const maxClients = opts.maxClients ?? 500;
  // Addresses are personal data and the log is permanent: only a keyed, truncated hash goes in, enough
  // to tell one client's refusals from another's within this process's life, not to recover the address.
  const key = randomBytes(32);
  const tagOf = (client: string) =>
    client.startsWith('actor:') ? 'actor' : createHmac('sha256', key).update(client).digest('hex').slice(0, 16);
  const entries = new Map<string, Entry>();
  let tracked = 0;

  async function write(done: Entry[], now: number) {
    await Promise.all(
      done
        .filter((e) => e.count > 0)
        .map((e) => opts.record(summaryEvent(e, Math.min(now, e.from + windowMs), maxClients)).catch((err: Error) => opts.onError?.(err))),
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
    async close() {
      clearInterval(timer);
      await flush(true);
    },
  };
}

type WindowShape = Pick<Entry, 'tag' | 'reason' | 'from' | 'count' | 'overflow'> & { template: AccessEventInput };

function summaryEvent(e: WindowShape, to: number, maxClients: number): AccessEventInput {
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

/**
 * The same windows kept in the database (refusal_windows), so that with several nodes a client refused on
 * all of them still costs one first event and one summary per window. The first refusal is logged by the
 * node whose insert opens the window; the others count into it with one UPDATE; the summary is written by
 * whichever node's DELETE … RETURNING takes the ended window. A node that dies between taking a window and
 * writing its summary loses that summary (the first event was written already), as a node dying with
 * windows in memory does today.
 */
function sharedRefusalSummary(opts: RefusalSummaryOptions, db: Store): RefusalSummary {
  const windowMs = opts.windowMs ?? 60_000;
  const maxClients = opts.maxClients ?? 500;
  const store = refusalStore(db);
  // As in memory: addresses go into the log only as a keyed hash, the key this process's own (the window's
  // first event and its summary carry the tag of the node that opened it).
  const hmacKey = randomBytes(32);
  const tagOf = (client: string) =>
    client.startsWith('actor:') ? 'actor' : createHmac('sha256', hmacKey).update(client).digest('hex').slice(0, 16);
  // The row's key must be the same on every node, so it is a plain hash; rows live one window.
  const keyOf = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);

  const fromRow = (row: RefusalWindowRow): WindowShape => ({
    tag: row.tag,
    reason: row.reason,
    from: Number(row.fromMs),
    count: Number(row.count),
    overflow: !!row.overflow,
    template: {
      actor: row.actor ? JSON.parse(row.actor) : null,
      action: row.action as AccessEventInput['action'],
      channel: row.channel as AccessEventInput['channel'],
      purpose: null,
      outcome: 'denied',
    },
  });
  async function write(rows: RefusalWindowRow[], now: number) {
    await Promise.all(
      rows
        .map(fromRow)
        .filter((e) => e.count > 0)
        .map((e) => opts.record(summaryEvent(e, Math.min(now, e.from + windowMs), maxClients)).catch((err: Error) => opts.onError?.(err))),
    );
  }
  async function flush(all = false) {
    const now = opts.clock().getTime();
    try {
      await write(await store.takeEnded(all ? Number.MAX_SAFE_INTEGER : now - windowMs), now);
    } catch (err) {
      opts.onError?.(err as Error);
    }
  }
  const timer = setInterval(() => void flush(), Math.max(1000, Math.min(windowMs, 15_000)));
  timer.unref();

  const rowFor = (key: string, tag: string, r: Refusal, now: number, overflow: boolean): RefusalWindowRow => ({
    key,
    tag,
    reason: r.reason,
    actor:
      r.event.actor && !overflow ? JSON.stringify({ sub: r.event.actor.sub, org: r.event.actor.org, roles: r.event.actor.roles }) : null,
    action: r.event.action,
    channel: r.event.channel,
    fromMs: now,
    count: overflow ? 1 : 0,
    overflow,
  });

  return {
    async refuse(r: Refusal): Promise<void> {
      const now = opts.clock().getTime();
      const openAfter = now - windowMs;
      const key = keyOf(r.client, r.reason, r.event.action, r.event.channel);
      if (await store.countIn(key, openAfter)) return;
      // Its window ended and no node's timer has come round yet: close it now.
      const ended = await store.takeEnded(openAfter, key);
      if (ended.length) void write(ended, now);
      if ((await store.clients(openAfter)) >= maxClients) {
        await store.openOrCount(rowFor(keyOf('\u0000other', r.reason, r.event.action, r.event.channel), 'other', r, now, true));
        return;
      }
      const tag = tagOf(r.client);
      if (!(await store.open(rowFor(key, tag, r, now, false)))) {
        // Another node opened it a moment ago and logged its first refusal: this one only counts.
        await store.countIn(key, openAfter);
        return;
      }
      const event = r.client.startsWith('actor:') ? r.event : { ...r.event, query: { ...r.event.query, client: tag } };
      try {
        await opts.record(event);
      } catch {
        throw accessLogUnavailable();
      }
    },
    flush: () => flush(false),
    async close() {
      clearInterval(timer);
      await flush(true);
    },
  };
}
