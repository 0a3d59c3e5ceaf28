import type autocannon from 'autocannon';
import { databaseFile, openDatabase } from '../db/index.js';
import type { Actor } from '../src/plans/core/actor.js';
import { issueCard } from '../src/plans/cards/cards.js';
import { SESSION_COOKIE, insertSession } from '../src/server/auth/session.js';

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
  // plain client would send it (no scope, no re-ranking, no access log).
  {
    name: 'search-engine-direct',
    async options(ctx) {
      if (!ctx.engine) throw new Error('search-engine-direct needs the managed Meilisearch');
      const bodies = searchQueries(ctx.dataDir).map((qs) => {
        const p = new URLSearchParams(qs);
        const [y, m, d] = (p.get('dob') ?? '').split('-');
        return JSON.stringify({ q: p.get('q') ?? '', limit: 10, ...(y ? { filter: `dobYear = ${Number(y)} AND dobMonth = ${Number(m)} AND dobDay = ${Number(d)}` } : {}) });
      });
      let i = 0;
      return {
        url: ctx.engine.url,
        headers: { authorization: `Bearer ${ctx.engine.key}`, 'content-type': 'application/json' },
        requests: [{ method: 'POST', path: '/indexes/plans/search', setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }) }],
      };
    },
  },
  {
    name: 'qr-scan',
    expectStatus: 303,
    async options(ctx) {
      const tokens = await issueCards(ctx.dataDir, ctx.planIds);
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

function search(name: string, connections?: number): Scenario {
  return {
    name,
    async options(ctx) {
      const token = await ctx.tokenFor({ sub: 'bench.officer', org: 'capital-police', roles: ['responder'] });
      const queries = searchQueries(ctx.dataDir);
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

type SubjectRow = { subject: string };

/** A slip a responder might make when typing a heard name: two neighbouring letters swapped. */
const swapped = (w: string) => (w.length < 5 ? w : `${w.slice(0, 2)}${w[3]}${w[2]}${w.slice(4)}`);

/**
 * What responders type, from the seeded people: full name, surname alone, a given name with a mistyped
 * surname, and surname with date of birth. Lower case, as typed on a phone.
 */
function searchQueries(dataDir: string): string[] {
  const db = openDatabase(databaseFile(dataDir));
  try {
    const rows = db.sqlite!.client
      .prepare<[], SubjectRow>(
        "SELECT v.subject FROM plans p JOIN plan_versions v ON v.id = p.current_version_id WHERE p.owning_org IN ('southbank-mh','northgate-mh') LIMIT 500",
      )
      .all();
    return rows.map((r, i) => {
      const s = JSON.parse(r.subject) as { givenNames: string; familyName: string; dateOfBirth: string };
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
    db.sqlite!.client.close();
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
async function issueCards(dataDir: string, planIds: string[]): Promise<string[]> {
  const db = openDatabase(databaseFile(dataDir));
  try {
    const owner = db.sqlite!.client.prepare<[string], { owning_org: string }>('SELECT owning_org FROM plans WHERE id = ?');
    const now = new Date();
    const tokens: string[] = [];
    for (const planId of planIds) {
      const org = owner.get(planId)!.owning_org;
      const author: Actor = { sub: 'bench.author', org, orgKind: 'mental-health', roles: ['author'] };
      const issued = await issueCard(db, author, planId, {}, now);
      if (!issued.ok) throw new Error(`bench: could not issue a card for ${planId}: ${issued.detail}`);
      tokens.push(issued.value.token);
    }
    return tokens;
  } finally {
    db.sqlite!.client.close();
  }
}

/** Signed-in responders (paramedics: a health org) with a purpose stated just now, as the web UI leaves them. */
async function sessionCookies(ctx: BenchContext, people: number): Promise<string[]> {
  // Sessions are server-side: insert them as sign-in would, with the purpose already stated.
  const db = openDatabase(databaseFile(ctx.dataDir));
  try {
    const now = Date.now();
    const cookies: string[] = [];
    for (let n = 0; n < people; n++) {
      const actor = { sub: `bench.paramedic.${n}`, org: 'metro-ambulance', orgKind: 'ambulance', roles: ['responder'] } as const;
      const id = await insertSession(db, { actor, method: 'dev', expiresAt: now + 8 * 3600_000 }, now);
      db.sqlite!.client.prepare('UPDATE web_sessions SET purpose = ?, purpose_at = ? WHERE actor_sub = ?').run(PURPOSE, now, actor.sub);
      cookies.push(`${SESSION_COOKIE}=${id}`);
    }
    return cookies;
  } finally {
    db.sqlite!.client.close();
  }
}
