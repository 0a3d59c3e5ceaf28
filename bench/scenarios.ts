import type autocannon from 'autocannon';

/** What every scenario gets: the running service and what was seeded. */
export type BenchContext = {
  appUrl: string;
  bareUrl: string;
  /** The same app with a no-op access log (bench only): audited vs unlogged isolates the log's cost. */
  unloggedUrl: string;
  dataDir: string;
  /** Plan ids a capital-police responder may read (southbank-mh and northgate-mh plans). */
  planIds: string[];
  tokenFor(who: { sub: string; org: string; roles: ('responder' | 'auditor')[] }): Promise<string>;
};

export type Scenario = {
  name: string;
  /** Autocannon options for this scenario (url, headers, per-request setup); connections are set by run.ts. */
  options(ctx: BenchContext): Promise<Partial<autocannon.Options>>;
};

/**
 * The scenarios, run in this order in one run. Search and QR scan are added here as entries by the
 * engineers building them; each must hit the real route with a real token and purpose.
 */
export const scenarios: Scenario[] = [
  {
    name: 'bare-hono',
    async options(ctx) {
      return { url: `${ctx.bareUrl}/bare` };
    },
  },
  planView('plan-view-audited', (ctx) => ctx.appUrl),
  ...(process.env.BENCH_UNLOGGED === '1' ? [planView('plan-view-unlogged', (ctx) => ctx.unloggedUrl)] : []),
];

function planView(name: string, base: (ctx: BenchContext) => string): Scenario {
  return {
    name,
    async options(ctx) {
      const token = await ctx.tokenFor({ sub: 'bench.officer', org: 'capital-police', roles: ['responder'] });
      let i = 0;
      return {
        url: base(ctx),
        headers: { authorization: `Bearer ${token}`, 'x-access-purpose': 'BENCH-0001 load test' },
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
