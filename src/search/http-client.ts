import { Pool } from 'undici';

export class MeiliHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`meilisearch answered ${status}: ${(body as { message?: string } | undefined)?.message ?? 'no message'}`);
  }
}

/**
 * An `httpClient` for the Meilisearch JS client over one kept-alive undici Pool per engine. Node's fetch
 * opened a new connection per request here (~40 ms); node:http with a keep-alive agent was right but
 * dear: in the search profile at 50 connections its request and socket machinery was ~25% of the
 * service's CPU. Honours the client's AbortSignal (its `timeout`) and returns parsed JSON like the
 * built-in client does.
 */
export function keepAliveHttpClient(origin: string, connections = 16) {
  const pool = new Pool(origin, { connections, keepAliveTimeout: 10_000, pipelining: 1 });
  let answeredAt = -Infinity;
  async function send(
    path: string,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ) {
    const res = await pool.request({ path, method: method as 'GET', headers, body, signal });
    const text = await res.body.text();
    answeredAt = performance.now();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = { message: 'unparseable response' };
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return parsed;
    throw new MeiliHttpError(res.statusCode, parsed);
  }
  const client = (input: string | URL | Request, init?: RequestInit): Promise<unknown> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    return send(
      url.pathname + url.search,
      init?.method ?? 'GET',
      headers,
      typeof init?.body === 'string' ? init.body : undefined,
      init?.signal ?? undefined,
    );
  };
  return Object.assign(client, {
    /**
     * The search hot path, around the Meilisearch client: it builds a URL and a Headers object per
     * request, which with our own wrapping was a sixth of a search's CPU in this process.
     */
    postJson: (path: string, headers: Readonly<Record<string, string>>, body: string, signal: AbortSignal) =>
      send(path, 'POST', headers as Record<string, string>, body, signal),
    /** When the engine last answered anything (performance.now()): whether it is working at all. */
    answeredAt: () => answeredAt,
    destroy: () => void pool.destroy().catch(() => undefined),
  });
}
