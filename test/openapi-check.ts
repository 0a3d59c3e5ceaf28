import { documentAjv } from './openapi-fuzz.js';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>>; components: object };

/** Hono's `:param` and `:param{regex}` as OpenAPI's `{param}`. */
export const openApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z0-9_]+)(\{[^/]*\})?/g, '{$1}');

const pointer = (...parts: string[]) => '#/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

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
    const validate = ajv.getSchema(`openapi${pointer('paths', path, method.toLowerCase(), 'responses', String(res.status), 'content', media, 'schema')}`)!;
    return validate(res.json) ? [] : (validate.errors ?? []).map((e) => `${method} ${path} ${res.status}: ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };
}
