import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../logger.js';
import { carriesRequestId } from './security-headers.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** This request's id: in the X-Request-Id response header, the request log line and problem `instance`. */
    requestId?: string;
  }
}

/** A caller's id is kept only if it cannot smuggle anything into logs or headers (no spaces, no control characters). */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * One structured line per request: id, method, route pattern, status and duration. Never the path (it
 * can hold references), the query (search words), headers or bodies: personal data stays in the access log.
 */
export function requestLog(
  logger: Logger,
  observe?: (method: string, route: string, status: number, seconds: number) => void,
): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const id = given !== undefined && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    c.set('requestId', id);
    await next();
    if (!carriesRequestId(c.res)) c.res.headers.set('X-Request-Id', id);
    const logged = logger.isLevelEnabled('info');
    if (!observe && !logged) return;
    // Hono works the route pattern out by mapping every matched handler: only when something reads it.
    const ms = performance.now() - started;
    const route = c.req.routePath;
    const status = c.res.status;
    observe?.(c.req.method, route, status, ms / 1000);
    if (logged) logger.info({ reqId: id, method: c.req.method, route, status, ms: Math.round(ms * 100) / 100 }, 'request');
  };
}
