/**
 * k6 load test of the audited plan view (the same path as bench/ `plan-view-audited`, for running against
 * a deployed service from another machine). Type-checked with: npx tsc -p loadtest
 *
 *   TOKEN=$(npm run -s cli -- token --sub load.officer --org capital-police --role responder)
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 -e TOKEN=$TOKEN -e PLAN_IDS=id1,id2,… loadtest/plan-view.ts
 */
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';

export const options: Options = {
  scenarios: {
    planView: { executor: 'constant-vus', vus: 50, duration: __ENV.DURATION ?? '30s' },
  },
  thresholds: {
    // DESIGN §5: p99 < 20 ms at 50 concurrent connections; nothing fails.
    'http_req_duration{scenario:planView}': ['p(99)<20'],
    http_req_failed: ['rate==0'],
  },
};

const baseUrl = __ENV.BASE_URL ?? 'http://127.0.0.1:8080';
const planIds = (__ENV.PLAN_IDS ?? '').split(',').filter(Boolean);
const params = {
  headers: {
    Authorization: `Bearer ${__ENV.TOKEN ?? ''}`,
    'X-Access-Purpose': __ENV.PURPOSE ?? 'LOADTEST-0001 k6 run',
  },
};

export function setup(): void {
  if (!__ENV.TOKEN || planIds.length === 0) throw new Error('set -e TOKEN=… and -e PLAN_IDS=id1,id2,…');
}

export default function (): void {
  const id = planIds[Math.floor(Math.random() * planIds.length)];
  const res = http.get(`${baseUrl}/api/v1/plans/${id}`, params);
  check(res, {
    'status 200': (r) => r.status === 200,
    'is the plan asked for': (r) => (r.json('planId') as string | undefined) === id,
  });
}
