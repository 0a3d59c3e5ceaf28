import type { Hono } from 'hono';

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'] as const;

/**
 * For paths under `prefix`: the methods that have a route at this path (HEAD wherever GET is), for a 405's
 * `Allow`; none when the path has no route at all, or when the asked method has one (a real 404 then).
 * Middleware (`use`, method ALL) does not count as a route. Asked only on the not-found path.
 */
// biome-ignore lint/suspicious/noExplicitAny: any app, whatever its env, schema and base path
export function allowedMethods(app: Hono<any, any, any>, prefix: string) {
  return (method: string, path: string): string[] => {
    if (!path.startsWith(prefix)) return [];
    const routed = METHODS.filter((m) =>
      app.router.match(m, path)[0].some(([[, route]]) => route.method !== 'ALL' && route.path.startsWith(prefix)),
    );
    const allow = routed.includes('GET') ? [...routed.slice(0, 1), 'HEAD', ...routed.slice(1)] : routed;
    return allow.includes(method) ? [] : allow;
  };
}
