import { documentAjv } from './openapi-fuzz.js';

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>>;
  components: object;
};

/** Hono's `:param` and `:param{regex}` as OpenAPI's `{param}`. */
export const openApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z0-9_]+)(\{[^/]*\})?/g, '{$1}');

const pointer = (...parts: string[]) => `#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

/**
 * Checks real answers against /openapi.json: the status must be documented for the route, and a JSON
 * body must match the documented schema for its media type (refs resolved within the document).
 */
export function responseChecker(doc: Doc) {
  // The document's x- keywords (check digit, date bounds and order) hold for answers too.
  const ajv = documentAjv();
  ajv.addSchema({ ...doc, $id: 'openapi' } as object);
  return (method: string, route: string, res: { status: number; headers: Headers; json?: unknown }) => {
    const path = openApiPath(route);
    const op = doc.paths[path]?.[method.toLowerCase()];
    if (!op) return [`${method} ${path} is not documented`];
    const response = op.responses[String(res.status)];
    if (!response) return [`${method} ${path} answered ${res.status}, not documented (has ${Object.keys(op.responses).join(', ')})`];
    const media = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const content = response.content?.[media];
    if (!content) return [`${method} ${path} ${res.status}: ${media} not documented`];
    if (!content.schema || res.json === undefined) return [];
    const validate = ajv.getSchema(
      `openapi${pointer('paths', path, method.toLowerCase(), 'responses', String(res.status), 'content', media, 'schema')}`,
    )!;
    return validate(res.json)
      ? []
      : (validate.errors ?? []).map((e) => `${method} ${path} ${res.status}: ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };
}

type Answer = { status: number; headers: Headers; json?: unknown };
type Requester = { request(url: string): Response | Promise<Response> };

/**
 * A checker of one app's answers by the request that got them (method and URL, query and all), against
 * the app's own /openapi.json: the documented path the URL falls under (the one with fewest parameters
 * when several do), then responseChecker's rules. A URL no documented path covers (a mistyped route) may
 * only answer a problem, in the document's problem shape.
 */
export async function answerChecker(app: Requester) {
  const doc = (await (await app.request('/openapi.json')).json()) as Doc;
  const check = responseChecker(doc);
  const templates = Object.keys(doc.paths)
    .map((p) => ({
      p,
      params: p.split('{').length - 1,
      re: new RegExp(`^${p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}$`),
    }))
    .sort((a, b) => a.params - b.params);
  const ajv = documentAjv();
  ajv.addSchema({ ...doc, $id: 'openapi' } as object);
  const problem = ajv.getSchema(`openapi${pointer('components', 'schemas', 'ProblemDetails')}`)!;
  return (method: string, url: string, res: Answer): string[] => {
    const pathname = new URL(url, 'http://localhost').pathname;
    const route = templates.find((t) => t.re.test(pathname))?.p;
    if (route) return check(method, route, res);
    if (!(res.headers.get('content-type') ?? '').startsWith('application/problem+json'))
      return [`${method} ${pathname} is not documented and answered ${res.status}`];
    return problem(res.json)
      ? []
      : (problem.errors ?? []).map((e) => `${method} ${pathname} ${res.status}: ${e.instancePath} ${e.message}`);
  };
}

/**
 * `t` whose `call` checks every answer against the app's /openapi.json (answerChecker) as it goes, for
 * test files that exercise the API: `undocumented()` lists every answer that was not what the document says.
 */
export async function documentedCalls<T extends { app: Requester; call(w: any, method: string, url: string, opts?: any): Promise<Answer> }>(
  t: T,
) {
  const check = await answerChecker(t.app);
  const problems: string[] = [];
  const call: T['call'] = async (w, method, url, opts) => {
    const res = await t.call(w, method, url, opts);
    problems.push(...check(method, url, res));
    return res;
  };
  return { ...t, call, undocumented: () => [...problems] };
}
