import zlib from 'node:zlib';
import type { MiddlewareHandler } from 'hono';

/**
 * Pages compressed for a car terminal's mobile link: brotli when the browser accepts it, else gzip.
 * Pages only (they are registered on the page routes): the JSON API answers first and never reaches it.
 * Pages are a few to fifty kilobytes, so one synchronous pass at a fast level costs well under a
 * millisecond and needs no streaming. hono/compress has no brotli on Node.
 */
const MIN_BYTES = 1024;

/** The best encoding the request accepts (q > 0), brotli first. */
function chosen(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  if (!acceptEncoding) return undefined;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const weight = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    q.set(name!.trim(), weight === undefined ? 1 : Number(weight));
  }
  const ok = (enc: string) => (q.get(enc) ?? q.get('*') ?? 0) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : undefined;
}

export const compressPages: MiddlewareHandler = async (c, next) => {
  await next();
  const res = c.res;
  if (
    !res.body ||
    c.req.method === 'HEAD' ||
    res.headers.has('content-encoding') ||
    !res.headers.get('content-type')?.startsWith('text/html')
  )
    return;
  const vary = res.headers.get('vary');
  const encoding = chosen(c.req.header('accept-encoding'));
  const body = Buffer.from(await res.arrayBuffer());
  const packed =
    encoding === undefined || body.length < MIN_BYTES
      ? undefined
      : encoding === 'br'
        ? zlib.brotliCompressSync(body, {
            params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length },
          })
        : zlib.gzipSync(body, { level: 6 });
  const headers = new Headers(res.headers);
  headers.set('vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
  if (packed) {
    headers.set('content-encoding', encoding!);
    headers.delete('content-length');
  }
  c.res = undefined as unknown as Response; // lets hono replace the response instead of merging headers into it
  c.res = new Response(packed ?? body, { status: res.status, headers });
};
