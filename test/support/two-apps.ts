// Two nodes of one deployment, in one test process: two `createApp`s, each over its own handle on ONE
// PostgreSQL database, each with its own access log and refusal summary, one development issuer (the key
// a deployment's nodes share) and one clock (the nodes' clocks agree, as NTP keeps them). As far as state
// shared through the database goes they are two nodes; test/nodes/ runs two real processes.
import { sql } from 'drizzle-orm';
import { openStore, type Db } from '../../db/index.js';
import type { RefLookupLimits, SearchLimits } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createAccessLog } from '../../src/plans/access-log/log.js';
import { ensureDemoOrganisations } from '../../src/plans/demo/demo.js';
import { createRefusalSummary } from '../../src/server/access-trail/refusal-summary.js';
import { createApp } from '../../src/server/app.js';
import { loadDevIssuer } from '../../src/server/auth/dev-issuer.js';
import { loadSecretBox } from '../../src/plans/keys/keys.js';
import { onCleanup } from '../cleanup.js';
import { keepCookies } from '../cookie-jar.js';
import { tempDir, testClock, testStore, type Who } from '../helpers.js';

export type NodeOptions = {
  searchLimits?: SearchLimits;
  refLookupLimits?: RefLookupLimits;
  sessionIdleMinutes?: number;
  /** What QR codes and the OpenID redirect point at: the load balancer's address, the same for both. */
  publicBaseUrl?: string;
};

export async function twoNodes(opts: NodeOptions & { clock?: ReturnType<typeof testClock> } = {}) {
  const clock = opts.clock ?? testClock();
  const dbA = await testStore('pg', tempDir());
  const dirB = tempDir();
  const dbB = await openStore({ dataDir: dirB, databaseUrl: dbA.pg!.url });
  // Closed before the database is dropped (cleanups run last made, first undone).
  onCleanup(() => dbB.close());
  await ensureDemoOrganisations(dbA, clock());
  // One KEYS_DIR for both nodes, as a deployment mounts one.
  const keysDir = tempDir();
  const devIssuer = await loadDevIssuer(keysDir);
  const secrets = loadSecretBox(keysDir)!;
  let publicBaseUrl = opts.publicBaseUrl ?? 'http://127.0.0.1:8080';

  function node(name: 'A' | 'B', db: Db, dataDir: string) {
    const accessLog = createAccessLog(db, { clock });
    onCleanup(() => accessLog.close());
    const refusals = createRefusalSummary({ clock, record: (e) => accessLog.record(e), shared: db });
    onCleanup(() => refusals.close());
    const app = createApp({
      db,
      clock,
      logger: silentLogger(),
      devIssuer,
      accessLog,
      get publicBaseUrl() {
        return publicBaseUrl;
      },
      localCards: true,
      secrets,
      refusals,
      searchLimits: opts.searchLimits,
      refLookupLimits: opts.refLookupLimits,
      sessionIdleMinutes: opts.sessionIdleMinutes,
    });
    const tokenFor = (w: Who) => devIssuer.sign(w, 3600, clock());
    /** An API call as `w` (with a purpose unless `purpose` is null). */
    async function call(w: Who | null, method: string, url: string, o: { body?: unknown; purpose?: string | null } = {}) {
      const headers: Record<string, string> = {};
      if (w) headers.authorization = `Bearer ${await tokenFor(w)}`;
      const purpose = o.purpose === undefined ? 'INC-2026-0001 concern for welfare' : o.purpose;
      if (purpose !== null) headers['x-access-purpose'] = purpose;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await app.request(url, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
      const text = await res.text();
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, json, text };
    }
    return { name, app, db, dataDir, keysDir, secrets, accessLog, refusals, call, tokenFor };
  }

  const a = node('A', dbA, tempDir());
  const b = node('B', dbB, dirB);
  return {
    a,
    b,
    clock,
    db: dbA,
    devIssuer,
    setPublicBaseUrl: (url: string) => void (publicBaseUrl = url),
    /** The access log as the database holds it, oldest first (both nodes' events, one chain). */
    events: async () =>
      (
        await dbA.many<{
          seq: number;
          action: string;
          channel: string;
          outcome: string;
          reason: string | null;
          actorSub: string | null;
          planId: string | null;
          query: string | null;
        }>(
          sql`SELECT seq, action, channel, outcome, reason, actor_sub AS "actorSub", plan_id AS "planId", query FROM access_events ORDER BY seq`,
        )
      ).map((e) => ({ ...e, seq: Number(e.seq), query: e.query ? (JSON.parse(e.query) as Record<string, unknown>) : null })),
  };
}
export type TwoNodes = Awaited<ReturnType<typeof twoNodes>>;
export type TestNode = TwoNodes['a'];

/**
 * A browser behind the load balancer: one cookie jar, each request sent to whichever node is named, so a
 * test can say which node serves each hop. Form posts carry this site's Origin, redirects are not followed.
 */
export function roamingBrowser(origin = 'http://localhost') {
  const jar = new Map<string, string>();
  async function go(node: TestNode, method: string, url: string, form?: Record<string, string>) {
    const h: Record<string, string> = {};
    if (jar.size) h.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) {
      h['content-type'] = 'application/x-www-form-urlencoded';
      h.origin = origin;
    }
    const res = await node.app.request(url, { method, headers: h, body: form ? new URLSearchParams(form).toString() : undefined });
    keepCookies(jar, res);
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }
  return {
    jar,
    get: (node: TestNode, url: string) => go(node, 'GET', url),
    post: (node: TestNode, url: string, form: Record<string, string>) => go(node, 'POST', url, form),
    async signIn(node: TestNode, sub: string) {
      const res = await go(node, 'POST', '/sign-in', { user: sub, return: '/' });
      if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
    },
    async statePurpose(node: TestNode, purpose = 'INC-2026-0042 scanned card') {
      const res = await go(node, 'POST', '/purpose', { purpose, return: '/' });
      if (res.status !== 303) throw new Error(`purpose failed: ${res.status}`);
    },
  };
}

/** Repeats `probe` until `done` says yes or `ms` pass; the time it took (ms), or throws with the last answer. */
export async function within<T>(ms: number, probe: () => Promise<T>, done: (x: T) => boolean): Promise<number> {
  const start = performance.now();
  let last: T;
  do {
    last = await probe();
    if (done(last)) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  } while (performance.now() - start < ms);
  throw new Error(`not within ${ms} ms; last answer: ${JSON.stringify(last).slice(0, 300)}`);
}
