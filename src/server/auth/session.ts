import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Db } from '../../../db/index.js';
import { roles as knownRoles, type Actor, type Role } from '../../plans/core/actor.js';
import type { Clock } from '../../plans/core/clock.js';
import type { OrgKind } from '../../plans/core/content.js';
import { sessionStore, type SessionRow } from './session-store.js';

/**
 * The web session, server-side (web_sessions): the browser's HttpOnly, SameSite=Lax cookie holds only a
 * random 256-bit id, the table its SHA-256. So sign-out and the idle timeout really end a session, a new
 * id is issued at every sign-in (no fixation), and any process or node on the same store accepts it. The
 * row is read on every request, never cached: a sign-out on one node ends the session on all at once.
 */
export const SESSION_COOKIE = 'rp_session';
/** A stated purpose covers one incident: after this, the responder is asked again. */
export const PURPOSE_TTL_MS = 60 * 60 * 1000;
/** Last-seen times are written at most this often per session: the read path stays a single SELECT. */
const LAST_SEEN_WRITE_MS = 60 * 1000;
/** How long a session's "last seen" may wait in memory before it is written (see `touches`). */
const TOUCH_FLUSH_MS = 5 * 1000;
/** Room for a flush that is slow, or retried once. */
const TOUCH_MARGIN_MS = 10 * 1000;

export type Session = {
  idHash: string;
  actor: Actor;
  method: 'dev' | 'oidc';
  createdAt: number;
  expiresAt: number;
  purpose?: string;
  purposeAt?: number;
  idToken?: string;
};
export type SessionRead = { session: Session } | { ended: 'idle' | 'expired' } | undefined;

const hashId = (id: string) => createHash('sha256').update(id).digest('base64url');

export type NewSession = { actor: Actor; method: 'dev' | 'oidc'; expiresAt: number; idToken?: string };

/** Inserts a session and returns the cookie value (also used by the bench to sign in thousands at once). */
export async function insertSession(db: Db, s: NewSession, now: number): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  await sessionStore(db).insert({
    idHash: hashId(id),
    actorSub: s.actor.sub,
    actorOrg: s.actor.org,
    actorOrgKind: s.actor.orgKind,
    actorRoles: JSON.stringify(s.actor.roles),
    method: s.method,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: s.expiresAt,
    idToken: s.idToken ?? null,
  });
  return id;
}

/**
 * `maxMs` caps a session from sign-in (SESSION_MAX_HOURS), `idleMs` from its last request
 * (SESSION_IDLE_MINUTES). `secure`: whether cookies need HTTPS, asked per response since the public
 * address can be learnt late.
 */
export function createSessions(opts: { db: Db; clock: Clock; secure: () => boolean; maxMs: number; idleMs: number }) {
  const store = sessionStore(opts.db);
  let lastSweep = 0;
  const now = () => opts.clock().getTime();

  // "Last seen" is written at most once a minute per session, but on the request path each write was
  // its own fsync (synchronous=FULL): the card-scan bench fell from 2,200 to 1,000 scans/s once its
  // sessions were a minute old. So touches wait here and are written together, one transaction every
  // few seconds; reads in this process see them at once. A crash loses at most a few seconds of idle
  // time, which can only end a session sooner, never keep one alive longer. Other nodes read only the
  // row, so a use that comes when the row says the session is nearly idle is written at once (read()).
  const touches = new Map<string, number>();
  async function flushTouches() {
    if (!touches.size) return;
    const rows = [...touches];
    touches.clear();
    try {
      await store.touch(rows);
    } catch {
      // Busy or unreachable for a moment: keep the newest times for the next flush.
      for (const [idHash, t] of rows) if (!touches.has(idHash)) touches.set(idHash, t);
    }
  }
  setInterval(() => void flushTouches(), TOUCH_FLUSH_MS).unref();
  const cookieOptions = (maxAge: number) => ({ httpOnly: true, sameSite: 'Lax', path: '/', secure: opts.secure(), maxAge }) as const;

  const toSession = (r: SessionRow): Session => ({
    idHash: r.idHash,
    actor: {
      sub: r.actorSub,
      org: r.actorOrg,
      orgKind: r.actorOrgKind as OrgKind,
      roles: (JSON.parse(r.actorRoles) as string[]).filter((x): x is Role => (knownRoles as readonly string[]).includes(x)),
    },
    method: r.method === 'oidc' ? 'oidc' : 'dev',
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    purpose: r.purpose ?? undefined,
    purposeAt: r.purposeAt ?? undefined,
    idToken: r.idToken ?? undefined,
  });

  return {
    maxMs: opts.maxMs,
    /** Writes the waiting "last seen" times now (they are otherwise written every few seconds). */
    flushTouches,
    async read(c: Context): Promise<SessionRead> {
      const id = getCookie(c, SESSION_COOKIE);
      if (!id || id.length > 100) return undefined;
      const row = await store.byHash(hashId(id));
      if (!row) return undefined;
      const t = now();
      const lastSeen = Math.max(row.lastSeenAt, touches.get(row.idHash) ?? 0);
      const ended = t >= row.expiresAt ? 'expired' : t - lastSeen >= opts.idleMs ? 'idle' : undefined;
      if (ended) {
        touches.delete(row.idHash);
        await store.remove(row.idHash);
        deleteCookie(c, SESSION_COOKIE, { path: '/', secure: opts.secure() });
        return { ended };
      }
      if (t - row.lastSeenAt + TOUCH_FLUSH_MS + TOUCH_MARGIN_MS >= opts.idleMs) {
        // Other nodes see only the row, and by it this session is about to go idle: were this use to wait
        // for the flush, a request reaching another node meanwhile would end the session early. So it is
        // written now (rare: only a session coming back after nearly the whole idle time).
        touches.delete(row.idHash);
        await store.touch([[row.idHash, t]]);
      } else if (t - lastSeen >= LAST_SEEN_WRITE_MS) touches.set(row.idHash, t);
      return { session: toSession(row) };
    },
    /** A new session with a new id; the browser's previous one, if any, is ended first. */
    async start(c: Context, s: NewSession): Promise<void> {
      await this.end(c);
      const t = now();
      const expiresAt = Math.min(s.expiresAt, t + opts.maxMs);
      const id = await insertSession(opts.db, { ...s, expiresAt }, t);
      setCookie(c, SESSION_COOKIE, id, cookieOptions(Math.max(0, Math.floor((expiresAt - t) / 1000))));
      if (t - lastSweep > 10 * 60 * 1000) {
        lastSweep = t;
        await flushTouches();
        await store.sweep(t, t - opts.idleMs);
      }
    },
    async setPurpose(session: Session, purpose: string): Promise<void> {
      await store.setPurpose(session.idHash, purpose, now());
    },
    /** Ends this browser's session, if it has one. */
    async end(c: Context): Promise<void> {
      const id = getCookie(c, SESSION_COOKIE);
      if (id) {
        const idHash = hashId(id);
        touches.delete(idHash);
        await store.remove(idHash);
      }
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: opts.secure() });
    },
    /** The stated purpose, while it still covers the incident. */
    currentPurpose(session: Session | undefined): string | undefined {
      if (!session?.purpose || session.purposeAt === undefined) return undefined;
      return now() - session.purposeAt < PURPOSE_TTL_MS ? session.purpose : undefined;
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
    if (/^\/[/\\]/.test(out) || new URL(out, base).origin !== base) return fallback;
    return out;
  } catch {
    return fallback;
  }
}
