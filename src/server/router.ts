import type { Result, Router } from 'hono/router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';

/**
 * Hono's fastest router (RegExpRouter) refuses a table in which a literal and a parameter share a place
 * (`/manage/plans/new` beside `/manage/plans/:planId`, which the consoles need), and then the default
 * router falls back to the slower TrieRouter for every route, the responder's hot API included (~16 µs a
 * request in the plan-view profile). This router keeps one Hono router per first path segment (`api`,
 * `fhir`, `manage`, `q`…), each choosing RegExpRouter where its own routes allow, so the consoles'
 * shapes cost only the consoles. A route whose first segment is not a literal (`/*` middleware, `*`) is
 * in every part, in the order it was added, so the handlers a request runs, and their order, are the
 * same as with one router.
 */
export class PrefixRouter<T> implements Router<T> {
  name = 'PrefixRouter';
  #routes: { method: string; path: string; handler: T; key: string | undefined }[] = [];
  #parts: Map<string, Router<T>> | undefined;
  #rest: Router<T> | undefined;

  add(method: string, path: string, handler: T): void {
    if (this.#parts) throw new Error('PrefixRouter: routes added after the first request');
    this.#routes.push({ method, path, handler, key: literalFirstSegment(path) });
  }

  match(method: string, path: string): Result<T> {
    if (!this.#parts) this.#build();
    return (this.#parts!.get(firstSegment(path)) ?? this.#rest!).match(method, path);
  }

  /** Which router each part settled on (after the first request), for tests and the curious. */
  get activeRouters(): Record<string, string> {
    return Object.fromEntries([...(this.#parts ?? [])].map(([k, r]) => [k, r.name]));
  }

  #build() {
    const smart = () => new SmartRouter<T>({ routers: [new RegExpRouter(), new TrieRouter()] });
    const parts = new Map<string, Router<T>>();
    for (const r of this.#routes) if (r.key !== undefined && !parts.has(r.key)) parts.set(r.key, smart());
    const rest = smart();
    for (const r of this.#routes) {
      if (r.key === undefined) {
        for (const part of parts.values()) part.add(r.method, r.path, r.handler);
        rest.add(r.method, r.path, r.handler);
      } else parts.get(r.key)!.add(r.method, r.path, r.handler);
    }
    this.#parts = parts;
    this.#rest = rest;
  }
}

/** `/api/v1/…` → `api`; undefined when the first segment can match more than one literal (`:x`, `*`, `{…}`). */
function literalFirstSegment(path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const seg = firstSegment(path);
  return /^[A-Za-z0-9._~-]*$/.test(seg) ? seg : undefined;
}

function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}
