// A bounded stream of audited plan reads against running nodes, and the check that every response that
// carried plan data has its access event in the database. Each read carries its own purpose
// (`PREFIX-n`), so its event can be found whichever node served it.
import pg from 'pg';
import { expect } from 'vitest';

export type Read = {
  n: number;
  purpose: string;
  node: string;
  planId: string;
  status: number;
  /** The body was a plan (its planId and content): what must never leave without its event. */
  servedPlan: boolean;
  retryAfter: string | null;
  contentType: string | null;
  /** No HTTP answer at all (connection refused or reset: the node was killed). */
  error?: string;
  /** performance.now() when it was sent and when its answer (or failure) was complete. */
  at: number;
  doneAt: number;
};

export async function readPlan(
  node: { name: string; url: string },
  token: string,
  planId: string,
  purpose: string,
  n: number,
): Promise<Read> {
  const at = performance.now();
  const base = { n, purpose, node: node.name, planId, at };
  try {
    const res = await fetch(`${node.url}/api/v1/plans/${planId}`, {
      headers: { authorization: `Bearer ${token}`, 'x-access-purpose': purpose },
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    const doneAt = performance.now();
    let body: { planId?: unknown; content?: unknown } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    return {
      ...base,
      doneAt,
      status: res.status,
      servedPlan: body?.planId === planId && body.content !== undefined,
      retryAfter: res.headers.get('retry-after'),
      contentType: res.headers.get('content-type'),
    };
  } catch (e) {
    return {
      ...base,
      doneAt: performance.now(),
      status: 0,
      servedPlan: false,
      retryAfter: null,
      contentType: null,
      error: (e as Error).cause ? String((e as Error).cause) : (e as Error).message,
    };
  }
}

/**
 * `concurrency` readers, round-robin over `targets()` (asked before each read, so a test can drop a node)
 * and over `planIds`, until `until()` says stop or `maxReads` is reached.
 */
export async function readStream(opts: {
  targets: () => { name: string; url: string }[];
  token: string;
  planIds: string[];
  prefix: string;
  concurrency: number;
  until: () => boolean;
  maxReads?: number;
  pauseMs?: number;
  /** Told of each read as it completes (a test waits for a number of them rather than for a time). */
  onRead?: (r: Read) => void;
}): Promise<Read[]> {
  const reads: Read[] = [];
  let next = 0;
  const max = opts.maxReads ?? 20_000;
  async function reader() {
    while (!opts.until() && next < max) {
      const n = next++;
      const targets = opts.targets();
      const node = targets[n % targets.length]!;
      const r = await readPlan(node, opts.token, opts.planIds[n % opts.planIds.length]!, `${opts.prefix}-${n}`, n);
      reads.push(r);
      opts.onRead?.(r);
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, reader));
  return reads.sort((a, b) => a.n - b.n);
}

type EventRow = { purpose: string; action: string; outcome: string; plan_id: string | null; actor_sub: string | null };

/** The access events whose purpose starts with `prefix-`, by purpose. */
export async function eventsByPurpose(databaseUrl: string, prefix: string): Promise<Map<string, EventRow[]>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<EventRow>(
      'SELECT purpose, action, outcome, plan_id, actor_sub FROM access_events WHERE purpose LIKE $1 ORDER BY seq',
      [`${prefix}-%`],
    );
    const by = new Map<string, EventRow[]>();
    for (const r of rows) by.set(r.purpose, [...(by.get(r.purpose) ?? []), r]);
    return by;
  } finally {
    await client.end();
  }
}

/** Every read that returned plan data has exactly one allowed view event of that plan, by that reader. */
export function expectEveryServedPlanLogged(reads: Read[], events: Map<string, EventRow[]>, sub: string) {
  const served = reads.filter((r) => r.servedPlan);
  const unlogged = served.filter((r) => {
    const e = events.get(r.purpose) ?? [];
    return !(
      e.length === 1 &&
      e[0]!.action === 'view' &&
      e[0]!.outcome === 'allowed' &&
      e[0]!.plan_id === r.planId &&
      e[0]!.actor_sub === sub
    );
  });
  expect(unlogged.map((r) => `${r.purpose} on ${r.node}: ${JSON.stringify(events.get(r.purpose) ?? [])}`)).toEqual([]);
  return served.length;
}

/** Counts by status (or transport error), for a failing assertion's message. */
export function statusCounts(reads: Read[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of reads) {
    const k = r.error ? `error: ${r.error.slice(0, 60)}` : String(r.status);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/** Resolves once `done()` holds, checking every 20 ms; fails after `timeoutMs`. */
export async function waitFor(done: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One API call to a node as `token`, with a purpose; no answer at all is status 0 with `error`. */
export async function callNode(
  node: { name: string; url: string },
  token: string,
  method: string,
  path: string,
  purpose: string,
  body?: unknown,
): Promise<{ node: string; status: number; json?: any; error?: string }> {
  try {
    const res = await fetch(`${node.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'x-access-purpose': purpose,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { node: node.name, status: res.status, json };
  } catch (e) {
    return { node: node.name, status: 0, error: String((e as Error).cause ?? (e as Error).message) };
  }
}
