import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setSignedCookie } from 'hono/cookie';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import type { Clock } from '../plans/clock.js';

/**
 * The web session: one HttpOnly, SameSite=Lax cookie, HMAC-signed with a server secret, holding the
 * identity provider's JWT (verified again on every request, like a bearer token) and the purpose the
 * responder stated for the current incident. Nothing is kept server-side, so any process serving the
 * same data directory accepts it, and it ends when the JWT expires.
 */
export const SESSION_COOKIE = 'rp_session';
/** A stated purpose covers one incident: after this, the responder is asked again. */
export const PURPOSE_TTL_MS = 60 * 60 * 1000;

const sessionSchema = z.object({
  jwt: z.string().min(1).max(4000),
  purpose: z.string().max(200).optional(),
  purposeAt: z.number().int().optional(),
});
export type Session = z.infer<typeof sessionSchema>;

/**
 * Reads hono's signed-cookie format (the value, '.', base64 HMAC-SHA256 of it under the secret) with
 * node:crypto. Hono's getSignedCookie imports the key into WebCrypto on every request: a quarter of a
 * card scan's CPU in the bench profile. Cookies are still written by setSignedCookie.
 */
function verifiedValue(cookie: string | undefined, secret: string): string | undefined {
  const dot = cookie?.lastIndexOf('.') ?? -1;
  if (!cookie || dot < 0) return undefined;
  const value = cookie.slice(0, dot);
  const signature = cookie.slice(dot + 1);
  if (signature.length !== 44 || !signature.endsWith('=')) return undefined;
  const expected = createHmac('sha256', secret).update(value).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : undefined;
}

/** `secure`: whether cookies need HTTPS, asked per response since the public address can be learnt late. */
export function createSessions(opts: { secret: string; clock: Clock; secure: () => boolean }) {
  const cookieOptions = (maxAge: number) =>
    ({ httpOnly: true, sameSite: 'Lax', path: '/', secure: opts.secure(), maxAge }) as const;

  return {
    async read(c: Context): Promise<Session | undefined> {
      const raw = verifiedValue(getCookie(c, SESSION_COOKIE), opts.secret);
      if (!raw) return undefined;
      try {
        const parsed = sessionSchema.safeParse(JSON.parse(raw));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
    async write(c: Context, session: Session): Promise<void> {
      const exp = decodeJwt(session.jwt).exp ?? 0;
      const maxAge = Math.max(0, Math.floor(exp - opts.clock().getTime() / 1000));
      await setSignedCookie(c, SESSION_COOKIE, JSON.stringify(session), opts.secret, cookieOptions(maxAge));
    },
    clear(c: Context): void {
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: opts.secure() });
    },
    /** The stated purpose, while it still covers the incident. */
    currentPurpose(session: Session | undefined): string | undefined {
      if (!session?.purpose || session.purposeAt === undefined) return undefined;
      return opts.clock().getTime() - session.purposeAt < PURPOSE_TTL_MS ? session.purpose : undefined;
    },
  };
}
export type Sessions = ReturnType<typeof createSessions>;

/**
 * Where to go back to after sign-in or the purpose prompt: a path on this site only, never another
 * origin (`//evil.example`, `/\evil.example`, `javascript:` all fall back to `/`).
 */
export function safeReturnTo(value: string | undefined | null, fallback = '/'): string {
  if (!value || value.length > 500 || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(value)) return fallback;
  try {
    const base = 'http://local.invalid';
    const url = new URL(value, base);
    if (url.origin !== base) return fallback;
    // Dot segments collapse during parsing (`/.//x`, `/%2e//x`, `/a/..//x` all become `//x`), and a
    // Location of `//x` is protocol-relative to a browser: judge the normalised result, not the input.
    const out = url.pathname + url.search;
    if (/^\/[\/\\]/.test(out) || new URL(out, base).origin !== base) return fallback;
    return out;
  } catch {
    return fallback;
  }
}
