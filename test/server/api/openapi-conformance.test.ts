import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { responseChecker } from '../../openapi-check.js';
import {
  Generator,
  harvest,
  HTTP_METHODS,
  operationsOf,
  requestsFor,
  type Doc,
  type GeneratedRequest,
  type Operation,
  type Pools,
} from '../../openapi-fuzz.js';
import { copyDataDir, importRecordFrom, planBody, planIdOf, publishPlans, testApp, who, type TestApp, type Who } from '../../helpers.js';

/**
 * The API does what /openapi.json says, checked from the document alone: for every operation it
 * documents, requests generated from its parameter and body schemas (valid ones, and ones broken in one
 * place), sent as each kind of caller. Every answer: no 5xx; a status the operation documents; a JSON
 * body that matches the documented schema; a request the document refuses is refused (4xx); a request
 * the document accepts is not refused by the server's own request schemas (a 400 with `in`); a query
 * parameter the operation does not list is refused (400); and other methods on a documented path are
 * 405 with `Allow` naming the documented ones.
 *
 * Seeded, so a failure reproduces. More runs: OPENAPI_CHECK_RUNS=50 (per operation and caller; 3 by
 * default), another seed: OPENAPI_CHECK_SEED=n; OPENAPI_CHECK_TRACE=file appends each request sent to the
 * file, prints the time per operation and sends the server's error log to stderr; OPENAPI_CHECK_ONLY=regex
 * runs only the operations whose "METHOD /path" it matches, each with the seed it has in the full run.
 */
const RUNS = Number(process.env.OPENAPI_CHECK_RUNS ?? 3);
const SEED = Number(process.env.OPENAPI_CHECK_SEED ?? 20_261_201);

const callers = {
  responder: who.officer,
  paramedic: who.paramedic,
  author: who.author,
  approver: who.approver,
  auditor: who.auditor,
  admin: who.admin,
  anonymous: null,
} satisfies Record<string, Who | null>;
const roles = Object.keys(callers) as (keyof typeof callers)[];

/** Time spent answering, for OPENAPI_CHECK_TRACE's summary (the rest is generating and checking). */
let sendMs = 0;
type Answer = { status: number; headers: Headers; json?: unknown; text: string };

/**
 * The starting state every operation is checked from: the demo register, two published plans, one of
 * them with a version in review and the other with an open draft, so the workflow's writes have something
 * to act on; tokens for each caller; and the ids those answers named.
 */
async function setUp() {
  const t = await testApp();
  await publishPlans(t.db, [importRecordFrom(planBody()), importRecordFrom(planBody({ externalRef: 'SB-000002', givenNames: 'Bryn' }))]);
  const doc = (await (await t.app.request('/openapi.json')).json()) as Doc;
  const tokens = new Map<string, string>();
  for (const role of roles) {
    const w = callers[role];
    if (w) tokens.set(role, await t.tokenFor(w));
  }
  const start: Pools = new Map();
  const [inReview, withDraft] = [await planIdOf(t.db, 'SB-000001'), await planIdOf(t.db, 'SB-000002')];
  harvest(start, { planId: [inReview, withDraft] });
  harvest(start, (await t.call(who.author, 'POST', `/api/v1/plans/${inReview}/versions`, { body: {} })).json);
  harvest(start, (await t.call(who.author, 'POST', `/api/v1/plans/${inReview}/versions/2/submit`)).json);
  harvest(start, (await t.call(who.author, 'POST', `/api/v1/plans/${withDraft}/versions`, { body: {} })).json);
  const pools: Pools = new Map();
  /**
   * A copy of that state (database and keys, so the same tokens work) with the ids reset: each operation
   * starts from it, so none is judged in what another left behind (an organisation disabled, a plan
   * withdrawn), and a seed reproduces one operation's run on its own.
   */
  const fresh = async () => {
    const dir = await copyDataDir(t);
    pools.clear();
    for (const [k, v] of start) pools.set(k, [...v]);
    // Traced, the server's own error log goes to stderr (a 5xx's cause).
    return testApp({ dir, ...(process.env.OPENAPI_CHECK_TRACE ? { logger: createLogger('error', process.stderr) } : {}) });
  };
  return { t, doc, tokens, pools, gen: new Generator(pools), fresh };
}

async function send(
  t: TestApp,
  tokens: Map<string, string>,
  method: string,
  req: Pick<GeneratedRequest, 'role' | 'url' | 'headers' | 'body'>,
): Promise<Answer> {
  const headers: Record<string, string> = { ...req.headers };
  const token = tokens.get(req.role);
  if (token) headers.authorization = `Bearer ${token}`;
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  if (process.env.OPENAPI_CHECK_TRACE) (await import('node:fs')).appendFileSync(process.env.OPENAPI_CHECK_TRACE, `${method} ${req.url}\n`);
  const t0 = performance.now();
  const res = await t.app.request(req.url, { method, headers, body: req.body });
  sendMs += performance.now() - t0;
  const text = await res.text();
  let json: unknown;
  if (/json/.test(res.headers.get('content-type') ?? '')) json = JSON.parse(text);
  return { status: res.status, headers: res.headers, json, text };
}

/** Problems, one example per kind (operation and what went wrong), so a report stays readable. */
function problemLog() {
  const seen = new Map<string, string>();
  return {
    add: (op: Operation, what: string, req: GeneratedRequest, res: Answer) => {
      const key = `${op.method} ${op.path}: ${what}`;
      if (!seen.has(key))
        seen.set(
          key,
          `${key}\n    as ${req.role}: ${op.method} ${req.url}${req.broken ? ` (broken: ${req.broken})` : ''}${req.body ? `\n    body ${req.body.slice(0, 300)}` : ''}\n    → ${res.status} ${res.text.slice(0, 300)}`,
        );
    },
    list: () => [...seen.values()],
  };
}

const isProblem = (json: unknown): json is { in?: string; errors?: unknown } => !!json && typeof json === 'object';

/**
 * Runs the generated requests of each operation (of `only`, if given) as each caller, and returns what
 * did not go as the document says, one example per kind.
 */
async function conform(setup: Awaited<ReturnType<typeof setUp>>, doc: Doc, opts: { only?: (op: Operation) => boolean } = {}) {
  const { tokens, pools, gen, fresh } = setup;
  const check = responseChecker(doc as Parameters<typeof responseChecker>[0]);
  const problems = problemLog();
  // OPENAPI_CHECK_ONLY=regex (on "METHOD /path") reruns some operations with the seeds they had in the full run.
  const only = process.env.OPENAPI_CHECK_ONLY ? new RegExp(process.env.OPENAPI_CHECK_ONLY) : undefined;
  const all = operationsOf(doc);
  const ops = all.filter((op) => (opts.only ?? (() => true))(op) && (!only || only.test(`${op.method} ${op.path}`)));
  const statuses = new Map<string, Set<number>>();
  let requests = 0;
  const started = Date.now();
  // For the trace: 400s to requests the document accepts that depend on the state, which no schema can say.
  const domain400s = new Set<string>();

  const judge = (op: Operation, req: GeneratedRequest, res: Answer) => {
    requests++;
    const key = `${op.method} ${op.path}`;
    statuses.set(key, (statuses.get(key) ?? new Set()).add(res.status));
    if (res.status >= 500) problems.add(op, `${res.status}`, req, res);
    for (const p of check(op.method, op.path, res)) problems.add(op, p.replace(/ \{.*$/, ''), req, res);
    if (!req.validByDoc && res.status < 400) problems.add(op, `accepted (${res.status}) a request the document refuses`, req, res);
    if (req.validByDoc && res.status === 400 && isProblem(res.json) && res.json.in) {
      problems.add(op, `refused by its ${res.json.in} schema a request the document accepts`, req, res);
    } else if (req.validByDoc && res.status === 400) domain400s.add(`${key}: ${(res.json as { detail?: string }).detail?.slice(0, 120)}`);
    // Ids in answers become values for later requests (real plans and versions, not only random ids).
    if (res.status < 300 && res.json) harvest(pools, res.json);
  };

  // Each operation as each caller, so the one role an operation serves is not left to chance.
  for (const op of ops) {
    const i = all.indexOf(op);
    const opStarted = Date.now();
    const t = await fresh();
    const appMs = Date.now() - opStarted;
    const listed = new Set(op.params.filter((p) => p.in === 'query').map((p) => p.name));
    let unlisted = 'zzUnlisted';
    while (listed.has(unlisted)) unlisted += 'x';
    const generated = requestsFor(gen, op, roles);
    const plain = requestsFor(gen, op, roles, { plain: true });
    for (const [r, role] of roles.entries()) {
      const seed = SEED + i * roles.length + r;
      // First a plain request (required parameters only): an answer with everything in it, every time.
      const first = fc.sample(plain, { numRuns: 1, seed })[0]!;
      await fc.assert(
        fc.asyncProperty(
          generated.map((q) => ({ ...q, role })),
          fc.nat(3),
          async (req, probe) => {
            if (probe !== 0) return judge(op, req, await send(t, tokens, op.method, req));
            // Now and then the same request with a parameter the operation does not list, sent first, so
            // that when it is refused the original still finds the state it was generated for.
            const url = `${req.url}${req.url.includes('?') ? '&' : '?'}${unlisted}=1`;
            const withUnlisted = { ...req, url, validByDoc: false, broken: `unlisted query parameter ${unlisted}` };
            const refused = await send(t, tokens, op.method, withUnlisted);
            judge(op, withUnlisted, refused);
            const res = await send(t, tokens, op.method, req);
            judge(op, req, res);
            if (res.status < 300 && !(refused.status === 400 && isProblem(refused.json) && refused.json.in === 'query')) {
              problems.add(op, `took an unlisted query parameter (${refused.status}; without it ${res.status})`, withUnlisted, refused);
            }
          },
        ),
        { numRuns: RUNS, seed, endOnFailure: true, examples: [[{ ...first, role }, 1]] },
      );
    }
    if (process.env.OPENAPI_CHECK_TRACE) console.log(`${op.method} ${op.path}: ${Date.now() - opStarted} ms (fresh app ${appMs} ms)`);
  }
  if (process.env.OPENAPI_CHECK_TRACE) console.log([...domain400s].join('\n'));
  if (process.env.OPENAPI_CHECK_TRACE)
    console.log(`${requests} requests in ${Date.now() - started} ms, ${Math.round(sendMs)} ms of them answering`);
  const succeeded = [...statuses].filter(([, s]) => [...s].some((x) => x < 300)).map(([k]) => k);
  return { problems: problems.list(), ops, requests, succeeded };
}

describe('the API against its own document (property-based)', () => {
  it('answers every generated request as /openapi.json says', { timeout: 60_000 * Math.max(3, RUNS) }, async () => {
    const setup = await setUp();
    const { problems, ops, requests, succeeded } = await conform(setup, setup.doc);
    expect(problems).toEqual([]);
    if (process.env.OPENAPI_CHECK_ONLY) return;
    expect(ops.length).toBeGreaterThan(30);
    // The checker reached past the front door: operations answered 2xx, not only refusals.
    expect(succeeded.length, `operations that answered 2xx: ${succeeded.join(', ')}`).toBeGreaterThanOrEqual(15);
    expect(requests).toBeGreaterThanOrEqual(ops.length * roles.length * RUNS);
  });

  it('finds a rule the server enforces and the document leaves out (the checker is not blind)', { timeout: 60_000 }, async () => {
    const setup = await setUp();
    // A document that misstates two rules: a purpose of 1–2 characters (the server wants 3–200), and any
    // ten digits for an NHS number (the server checks the check digit).
    const loose = structuredClone(setup.doc);
    const walk = (o: unknown): void => {
      if (Array.isArray(o)) {
        o.forEach(walk);
        return;
      }
      if (!o || typeof o !== 'object') return;
      const node = o as Record<string, any>;
      if (node.in === 'header' && node.name === 'X-Access-Purpose') node.schema = { type: 'string', minLength: 1, maxLength: 2 };
      if (node['x-check-digit']) node.pattern = '^[0-9]{10}$';
      delete node['x-check-digit'];
      Object.values(node).forEach(walk);
    };
    walk(loose);
    const { problems } = await conform(setup, loose, {
      only: (op) => (op.method === 'POST' && op.path === '/api/v1/plans') || (op.method === 'GET' && op.path === '/api/v1/plans/{planId}'),
    });
    const kinds = problems.map((p) => p.split('\n')[0]);
    expect(kinds).toContain('POST /api/v1/plans: refused by its body schema a request the document accepts');
    expect(kinds).toContain('GET /api/v1/plans/{planId}: refused by its header schema a request the document accepts');
  });

  it('answers other methods on every documented path with 405 and Allow naming the documented ones', { timeout: 60_000 }, async () => {
    const { t, doc, tokens, gen } = await setUp();
    const templates = Object.keys(doc.paths).map((path) => ({
      path,
      re: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      methods: HTTP_METHODS.filter((m) => doc.paths[path]![m]).map((m) => m.toUpperCase()),
    }));
    const ops = operationsOf(doc);
    const wrong: string[] = [];
    let probes = 0;
    for (const [i, { path }] of templates.entries()) {
      const op = ops.find((o) => o.path === path)!;
      const url = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
        const p = op.params.find((q) => q.in === 'path' && q.name === name)!;
        return encodeURIComponent(String(fc.sample(gen.value(p.schema), { numRuns: 1, seed: SEED + i })[0]));
      });
      // The concrete URL may fit more than one template (…/cards/current and …/cards/{file}): Allow is their union.
      const documented = new Set(templates.filter((x) => x.re.test(url)).flatMap((x) => x.methods));
      const expected = [...documented, ...(documented.has('GET') ? ['HEAD'] : [])].sort();
      for (const method of ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'].filter((m) => !documented.has(m))) {
        probes++;
        const res = await send(t, tokens, method, { role: 'admin', url, headers: {} });
        const allow = (res.headers.get('allow') ?? '').split(/,\s*/).filter(Boolean).sort();
        if (res.status !== 405 || JSON.stringify(allow) !== JSON.stringify(expected)) {
          wrong.push(`${method} ${url} → ${res.status} Allow: ${res.headers.get('allow')} (documented: ${expected.join(', ')})`);
        } else if ((res.json as { code?: string }).code !== 'method_not_allowed')
          wrong.push(`${method} ${url}: code ${(res.json as { code?: string }).code}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(probes).toBeGreaterThan(templates.length);
    // A path with no route at all is still 404, and an unauthenticated caller still 401 first.
    expect((await send(t, tokens, 'DELETE', { role: 'admin', url: '/api/v1/no-such-thing', headers: {} })).status).toBe(404);
    expect((await send(t, tokens, 'DELETE', { role: 'anonymous', url: '/api/v1/plans', headers: {} })).status).toBe(401);
  });
});
