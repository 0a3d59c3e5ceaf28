import { createRandom, syntheticRecord } from '../src/plans/demo/synthetic.js';
import type { BenchContext } from './scenarios.js';

const POLL_MS = 10;
const GIVE_UP_MS = 10_000;

/**
 * Publish → findable, as a responder sees it: an author creates and submits a new plan, an approver
 * approves it (the publish), and a responder searches for the person's name every few milliseconds until
 * the plan is in the results. Timed from the moment the approve request is sent. One plan at a time, on
 * the quiet service after the load rounds. Returns each publish's time in milliseconds.
 */
export async function publishToFindable(ctx: BenchContext, count: number): Promise<number[]> {
  const org = 'southbank-mh';
  const auth = async (sub: string, role: 'author' | 'approver' | 'responder', who = org) =>
    `Bearer ${await ctx.tokenFor({ sub, org: who, roles: [role] })}`;
  const author = await auth('bench.author', 'author');
  const approver = await auth('bench.approver', 'approver');
  const responder = await auth('bench.officer', 'responder', 'capital-police');
  const call = async (method: string, path: string, authorization: string, body?: unknown) => {
    const res = await fetch(`${ctx.appUrl}${path}`, {
      method,
      headers: { authorization, 'content-type': 'application/json', 'x-access-purpose': 'BENCH-0002 publish to findable' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 400) throw new Error(`bench publish: ${method} ${path} → ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const random = createRandom(Date.now() % 2 ** 31);
  const today = new Date().toISOString().slice(0, 10);
  const times: number[] = [];
  for (let n = 0; n < count; n++) {
    const { owningOrg: _, status: __, ...record } = syntheticRecord(random, n, org, today);
    // A surname no seeded person has, so the search can only be answered by the new plan.
    const familyName = `Benchpub${Date.now().toString(36)}${n}`;
    const body = {
      ...record,
      externalRef: `BENCH-${Date.now().toString(36)}-${n}`.toUpperCase(),
      subject: { ...record.subject, familyName },
    };
    const created = await call('POST', '/api/v1/plans', author, body);
    const planId = created.planId as string;
    await call('POST', `/api/v1/plans/${planId}/versions/1/submit`, author);
    // The approver reads the version first: an approval names the content hash that read showed.
    const read = await call('GET', `/api/v1/plans/${planId}/versions/1`, approver);
    const started = performance.now();
    await call('POST', `/api/v1/plans/${planId}/versions/1/approve`, approver, { contentHash: read.contentHash });
    const q = new URLSearchParams({ q: `${record.subject.givenNames.split(' ')[0]} ${familyName}` });
    for (;;) {
      const found = (await call('GET', `/api/v1/search?${q}`, responder)) as { results: { planId: string }[] };
      if (found.results.some((r) => r.planId === planId)) break;
      if (performance.now() - started > GIVE_UP_MS) throw new Error(`bench publish: ${planId} not findable after ${GIVE_UP_MS} ms`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    times.push(performance.now() - started);
  }
  return times;
}
