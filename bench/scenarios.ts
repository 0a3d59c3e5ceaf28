import type autocannon from 'autocannon';
import { and, eq, isNotNull, inArray } from 'drizzle-orm';
import type { Actor } from '../src/plans/core/actor.js';
import { issueCard } from '../src/plans/cards/cards.js';
import { SESSION_COOKIE, insertSession } from '../src/server/auth/session.js';
import { INDEX_UID } from '../src/search/meili-index.js';
import { buildLeanIndex, LEAN_UID } from './lean-engine.js';
import { openBenchStore, ownerOf } from './store.js';

/** What every scenario gets: the running service and what was seeded. */
export type BenchContext = {
  appUrl: string;
  bareUrl: string;
  /** The same app with a no-op access log (bench only): audited vs unlogged isolates the log's cost. */
  unloggedUrl: string;
  /** The same app with Prometheus metrics on (BENCH_METRICS=1). */
  metricsUrl: string;
  /** The service's managed Meilisearch (null with an external one). */
  engine: { url: string; key: string } | null;
  dataDir: string;
  /** PostgreSQL's URL, or undefined for SQLite under dataDir. */
  databaseUrl: string | undefined;
  /** Plan ids a capital-police responder may read (southbank-mh and northgate-mh plans). */
  planIds: string[];
  tokenFor(who: { sub: string; org: string; roles: ('responder' | 'auditor' | 'author' | 'approver')[] }): Promise<string>;
};

export type Scenario = {
  name: string;
  /** Autocannon options for this scenario (url, headers, per-request setup); connections are set by run.ts. */
  options(ctx: BenchContext): Promise<Partial<autocannon.Options>>;
  /** The status every request should get (default any 2xx); anything else counts as an error. */
  expectStatus?: number;
  /** Warm up with this many requests rather than for two seconds (default). */
  warmupRequests?(ctx: BenchContext): number;
};

const PURPOSE = 'BENCH-0001 load test';

/**
 * The scenarios, run in this order in one run. Each hits the real route with a real token (or session)
 * and purpose.
 */
export const scenarios: Scenario[] = [
  {
    name: 'bare-hono',
    async options(ctx) {
      return { url: `${ctx.bareUrl}/bare` };
    },
  },
  // Diagnostic floor: the bare route sending a plan view's bytes and headers (no auth, no database, no log).
  {
    name: 'bare-hono-plan-sized',
    async options(ctx) {
      return { url: `${ctx.bareUrl}/bare-plan-sized` };
    },
  },
  planView('plan-view-audited', (ctx) => ctx.appUrl),
  ...(process.env.BENCH_UNLOGGED === '1' ? [planView('plan-view-unlogged', (ctx) => ctx.unloggedUrl)] : []),
  ...(process.env.BENCH_METRICS === '1' ? [planView('plan-view-metrics', (ctx) => ctx.metricsUrl)] : []),
  search('search'),
  // One responder at a time: the API's own overhead over Meilisearch's processingTimeMs, without the
  // queueing that 50 connections on two cores add to every latency.
  search('search-1-connection', 1),
  // The ceiling for search: the same query mix straight to the managed Meilisearch, one query each, as a
  // plain client would send it (no scope, no re-ranking, no access log), on our own rich index…
  engineDirect('search-engine-direct', INDEX_UID),
  // …and on a lean index as a plain engine user would build it (bench/lean-engine.ts): the yardstick.
  engineDirect('search-engine-lean', LEAN_UID, async (ctx, engine) => {
    const n = await buildLeanIndex(engine, ctx.dataDir, ctx.databaseUrl);
    process.stdout.write(`search-engine-lean: ${n} plans indexed as ${LEAN_UID}\n`);
  }),
  {
    name: 'qr-scan',
    expectStatus: 303,
    async options(ctx) {
      const tokens = await issueCards(ctx, ctx.planIds);
      const cookies = await sessionCookies(ctx, SCAN_PEOPLE);
      let i = 0;
      return {
        url: ctx.appUrl,
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => {
              const n = i++;
              return { ...req, path: `/q/${tokens[n % tokens.length]}`, headers: { ...req.headers, cookie: cookies[n % cookies.length]! } };
            },
          },
        ],
      };
    },
  },
];

/** The bench's query mix straight to the managed Meilisearch's index `uid`, one plain query each. */
function engineDirect(
  name: string,
  uid: string,
  prepare?: (ctx: BenchContext, engine: { url: string; key: string }) => Promise<void>,
): Scenario {
  return {
    name,
    async options(ctx) {
      if (!ctx.engine) throw new Error(`${name} needs the managed Meilisearch`);
      await prepare?.(ctx, ctx.engine);
      const bodies = (await searchQueries(ctx)).map((qs) => {
        const p = new URLSearchParams(qs);
        const [y, m, d] = (p.get('dob') ?? '').split('-');
        return JSON.stringify({
          q: p.get('q') ?? '',
          limit: 10,
          ...(y ? { filter: `dobYear = ${Number(y)} AND dobMonth = ${Number(m)} AND dobDay = ${Number(d)}` } : {}),
        });
      });
      let i = 0;
      return {
        url: ctx.engine.url,
        headers: { authorization: `Bearer ${ctx.engine.key}`, 'content-type': 'application/json' },
        requests: [
          { method: 'POST', path: `/indexes/${uid}/search`, setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }) },
        ],
      };
    },
  };
}

function search(name: string, connections?: number): Scenario {
  return {
    name,
    async options(ctx) {
      const token = await ctx.tokenFor({ sub: 'bench.officer', org: 'capital-police', roles: ['responder'] });
      const queries = await searchQueries(ctx);
      let i = 0;
      return {
        url: ctx.appUrl,
        ...(connections ? { connections } : {}),
        headers: { authorization: `Bearer ${token}`, 'x-access-purpose': PURPOSE },
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/v1/search?${queries[i++ % queries.length]}` }) }],
      };
    },
  };
}

function planView(name: string, base: (ctx: BenchContext) => string): Scenario {
  return {
    name,
    // Every plan once (and then some), so the rounds measure the steady state: the view cache full, not
    // filling (a first read builds and serialises the view, ~20x the cost of a cached one).
    warmupRequests: (ctx) => ctx.planIds.length + 5_000,
    async options(ctx) {
      const token = await ctx.tokenFor({ sub: 'bench.officer', org: 'capital-police', roles: ['responder'] });
      let i = 0;
      return {
        url: base(ctx),
        headers: { authorization: `Bearer ${token}`, 'x-access-purpose': PURPOSE },
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => ({ ...req, path: `/api/v1/plans/${ctx.planIds[i++ % ctx.planIds.length]}` }),
          },
        ],
      };
    },
  };
}

/** A slip a responder might make when typing a heard name: two neighbouring letters swapped. */
const swapped = (w: string) => (w.length < 5 ? w : `${w.slice(0, 2)}${w[3]}${w[2]}${w.slice(4)}`);

/**
 * What responders type, from the seeded people: full name, surname alone, a given name with a mistyped
 * surname, and surname with date of birth. Lower case, as typed on a phone.
 */
export async function searchQueries(ctx: Pick<BenchContext, 'dataDir' | 'databaseUrl'>): Promise<string[]> {
  const db = await openBenchStore(ctx.dataDir, ctx.databaseUrl);
  try {
    const { plans, planVersions } = db.t;
    const rows = await db.many(
      db.q
        .select({ subject: planVersions.subject })
        .from(plans)
        .innerJoin(planVersions, eq(planVersions.id, plans.currentVersionId))
        .where(and(isNotNull(plans.currentVersionId), inArray(plans.owningOrg, ['southbank-mh', 'northgate-mh'])))
        .orderBy(plans.id)
        .limit(500),
    );
    return rows.map((r, i) => {
      const s = r.subject;
      const given = s.givenNames.split(' ')[0]!.toLowerCase();
      const family = s.familyName.toLowerCase();
      const kinds: Record<string, string>[] = [
        { q: `${given} ${family}` },
        { q: family },
        { q: `${given} ${swapped(family)}` },
        { q: family, dob: s.dateOfBirth },
      ];
      return new URLSearchParams(kinds[i % kinds.length]!).toString();
    });
  } finally {
    await db.close();
  }
}

/**
 * Card look-ups are rate limited per card (20 per 10 minutes) and per person (30): a scan scenario at
 * thousands a second needs thousands of cards and people, or it measures the 429 page. Warm-up and three
 * rounds send ~110,000 scans, so one card per seeded plan (10,000) and as many people keep each under ~11;
 * any 429 shows up as errors.
 */
const SCAN_PEOPLE = 10_000;

/** One current card per plan, issued by its owner's author as the cards route would (old ones revoked). */
async function issueCards(ctx: BenchContext, planIds: string[]): Promise<string[]> {
  const db = await openBenchStore(ctx.dataDir, ctx.databaseUrl);
  try {
    const now = new Date();
    const tokens: string[] = [];
    for (const planId of planIds) {
      const org = await ownerOf(db, planId);
      const author: Actor = { sub: 'bench.author', org, orgKind: 'mental-health', roles: ['author'] };
      const issued = await issueCard(db, author, planId, {}, now);
      if (!issued.ok) throw new Error(`bench: could not issue a card for ${planId}: ${issued.detail}`);
      tokens.push(issued.value.token);
    }
    return tokens;
  } finally {
    await db.close();
  }
}

/** Signed-in responders (paramedics: a health org) with a purpose stated just now, as the web UI leaves them. */
async function sessionCookies(ctx: BenchContext, people: number): Promise<string[]> {
  // Sessions are server-side: insert them as sign-in would, with the purpose already stated.
  const db = await openBenchStore(ctx.dataDir, ctx.databaseUrl);
  const { webSessions: s } = db.t;
  try {
    const now = Date.now();
    const cookies: string[] = [];
    for (let n = 0; n < people; n++) {
      const actor = { sub: `bench.paramedic.${n}`, org: 'metro-ambulance', orgKind: 'ambulance', roles: ['responder'] } as const;
      const id = await insertSession(db, { actor, method: 'dev', expiresAt: now + 8 * 3600_000 }, now);
      await db.exec(db.q.update(s).set({ purpose: PURPOSE, purposeAt: now }).where(eq(s.actorSub, actor.sub)));
      cookies.push(`${SESSION_COOKIE}=${id}`);
    }
    return cookies;
  } finally {
    await db.close();
  }
}
