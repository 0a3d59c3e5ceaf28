// Which store errors mean "the database is not there just now" (a restart, a failover, a network break)
// rather than a fault in the request or the code: those are answered 503 with Retry-After, and a new
// connection is worth waiting for briefly.

/** Connection-level errors of the socket. */
const SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * SQLSTATEs: admin_shutdown (a fast or immediate shutdown ends every session), crash_shutdown,
 * cannot_connect_now (starting up, shutting down, in recovery), too_many_connections; and the whole of
 * class 08, connection exceptions.
 */
const SERVER = new Set(['57P01', '57P02', '57P03', '53300']);

/** node-postgres says these in words only (no code). */
const WORDS = [/^Connection terminated/, /not queryable/, /^timeout exceeded when trying to connect/, /^Connection closed/];

/** Whether `e` (possibly wrapped by drizzle, whose errors keep the driver's as `cause`) is one of those. */
export function isStoreUnavailable(e: unknown): boolean {
  for (
    let x = e as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    x && depth < 4;
    x = x.cause as typeof x, depth++
  ) {
    if (typeof x !== 'object') return false;
    const code = typeof x.code === 'string' ? x.code : '';
    if (SOCKET.has(code) || SERVER.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    if (typeof x.message === 'string' && WORDS.some((w) => w.test(x!.message as string))) return true;
  }
  return false;
}
