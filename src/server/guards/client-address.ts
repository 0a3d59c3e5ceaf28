import type { Context } from 'hono';
import type { TrustProxy } from '../../config.js';

const socketAddress = (c: Context) =>
  (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;

/** One RFC 7239 `Forwarded` element's `for=`, without quotes, brackets or port. */
function forwardedFor(element: string): string | undefined {
  const m = /(?:^|;)\s*for=("?)([^";,]*)\1/i.exec(element);
  if (!m) return undefined;
  const v = m[2]!.trim();
  const v6 = /^\[([^\]]+)\]/.exec(v);
  if (v6) return v6[1];
  return v.replace(/:\d+$/, '') || undefined;
}

/**
 * The client's address as the operator trusts it. Each proxy appends the address it saw, so with N
 * trusted hops the client is the Nth entry from the right: entries further left were written by
 * whoever sent the request and prove nothing. Without TRUST_PROXY the headers are ignored entirely,
 * or anyone could pick a fresh address per request and never be limited.
 */
export function clientAddress(c: Context, trust: TrustProxy | undefined): string {
  const socket = socketAddress(c) ?? 'unknown';
  if (!trust) return socket;
  const raw = c.req.header(trust.header);
  if (!raw) return socket;
  const parts = raw.split(',').map((p) => (trust.header === 'forwarded' ? forwardedFor(p) : p.trim()) ?? '');
  const chain = parts.filter((p) => p !== '');
  if (chain.length === 0) return socket;
  // Fewer entries than trusted hops: the leftmost is as far back as anyone vouched for.
  return chain[Math.max(0, chain.length - trust.hops)]!;
}
