import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Db } from '../../../db/index.js';
import { roles as knownRoles, type Actor, type Role } from '../../plans/core/actor.js';
import type { Clock } from '../../plans/core/clock.js';
import type { OrgKind } from '../../plans/core/content.js';

/**
 * The web session, server-side (web_sessions): the browser's HttpOnly, SameSite=Lax cookie holds only a
 * random 256-bit id, the table its SHA-256. So sign-out and the idle timeout really end a session, a new
 * id is issued at every sign-in (no fixation), and any process on the same data directory accepts it.
 */
export const SESSION_COOKIE = 'rp_session';
/** A stated purpose covers one incident: after this, the responder is asked again. */
export const PURPOSE_TTL_MS = 60 * 60 * 1000;
/** Last-seen times are written at most this often per session: the read path stays a single SELECT. */
const LAST_SEEN_WRITE_MS = 60 * 1000;
/** How long a session's "last seen" may wait in memory before it is written (see `touches`). */
const TOUCH_FLUSH_MS = 5 * 1000;

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

type Row = {
  id_hash: string; actor_sub: string; actor_org: string; actor_org_kind: string; actor_roles: string; method: string;
  created_at: number; last_seen_at: number; expires_at: number; purpose: string | null; purpose_at: number | null; id_token: string | null;
};

const hashId = (id: string) => createHash('sha256').update(id).digest('base64url');

export type NewSession = { actor: Actor; method: 'dev' | 'oidc'; expiresAt: number; idToken?: string };

/** Inserts a session and returns the cookie value (also used by the bench to sign in thousands at once). */
export function insertSession(db: Db, s: NewSession, now: number): string {
  const id = randomBytes(32).toString('base64url');
  db.$client
    .prepare(
      `INSERT INTO web_sessions (id_hash, actor_sub, actor_org, actor_org_kind, actor_roles, method, created_at, last_seen_at, expires_at, id_token)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(hashId(id), s.actor.sub, s.actor.org, s.actor.orgKind, JSON.stringify(s.actor.roles), s.method, now, now, s.expiresAt, s.idToken ?? null);
  return id;
}

/**
 * `maxMs` caps a session from sign-in (SESSION_MAX_HOURS), `idleMs` from its last request
 * (SESSION_IDLE_MINUTES). `secure`: whether cookies need HTTPS, asked per response since the public
 * address can be learnt late.
 */
export function createSessions(opts: { db: Db; clock: Clock; secure: () => boolean; maxMs: number; idleMs: number }) {
  const sqlite = opts.db.$client;
  const byHash = sqlite.prepare<[string], Row>('SELECT * FROM web_sessions WHERE id_hash = ?');
  const touch = sqlite.prepare<[number, string]>('UPDATE web_sessions SET last_seen_at = ? WHERE id_hash = ?');
  const remove = sqlite.prepare<[string]>('DELETE FROM web_sessions WHERE id_hash = ?');
  const setPurpose = sqlite.prepare<[string, number, string]>('UPDATE web_sessions SET purpose = ?, purpose_at = ? WHERE id_hash = ?');
  const sweep = sqlite.prepare<[number, number]>('DELETE FROM web_sessions WHERE expires_at <= ? OR last_seen_at <= ?');
  let lastSweep = 0;
  const now = () => opts.clock().getTime();

  // "Last seen" is written at most once a minute per session, but on the request path each write was
  // its own fsync (synchronous=FULL): the card-scan bench fell from 2,200 to 1,000 scans/s once its
  // sessions were a minute old. So touches wait here and are written together, one transaction every
  // few seconds; reads in this process see them at once. A crash loses at most a few seconds of idle
  // time, which can only end a session sooner, never keep one alive longer.
  const touches = new Map<string, number>();
  const writeTouches = sqlite.transaction((rows: [string, number][]) => {
    for (const [idHash, t] of rows) touch.run(t, idHash);
  });
  function flushTouches() {
    if (!touches.size) return;
    const rows = [...touches];
    touches.clear();
    try {
      writeTouches(rows);
    } catch {
      // Busy or read-only for a moment: keep the newest times for the next flush.
      for (const [idHash, t] of rows) if (!touches.has(idHash)) touches.set(idHash, t);
    }
  }
  setInterval(flushTouches, TOUCH_FLUSH_MS).unref();
  const cookieOptions = (maxAge: number) =>
    ({ httpOnly: true, sameSite: 'Lax', path: '/', secure: opts.secure(), maxAge }) as const;

  const toSession = (r: Row): Session => ({
    idHash: r.id_hash,
    actor: {
      sub: r.actor_sub,
      org: r.actor_org,
      orgKind: r.actor_org_kind as OrgKind,
      roles: (JSON.parse(r.actor_roles) as string[]).filter((x): x is Role => (knownRoles as readonly string[]).includes(x)),
    },
    method: r.method === 'oidc' ? 'oidc' : 'dev',
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    purpose: r.purpose ?? undefined,
    purposeAt: r.purpose_at ?? undefined,
    idToken: r.id_token ?? undefined,
  });

  return {
    maxMs: opts.maxMs,
    /** Writes the waiting "last seen" times now (they are otherwise written every few seconds). */
    flushTouches,
    read(c: Context): SessionRead {
      const id = getCookie(c, SESSION_COOKIE);
      if (!id || id.length > 100) return undefined;
      const row = byHash.get(hashId(id));
      if (!row) return undefined;
      const t = now();
      const lastSeen = Math.max(row.last_seen_at, touches.get(row.id_hash) ?? 0);
      const ended = t >= row.expires_at ? 'expired' : t - lastSeen >= opts.idleMs ? 'idle' : undefined;
      if (ended) {
        touches.delete(row.id_hash);
        remove.run(row.id_hash);
        deleteCookie(c, SESSION_COOKIE, { path: '/', secure: opts.secure() });
        return { ended };
      }
      if (t - lastSeen >= LAST_SEEN_WRITE_MS) touches.set(row.id_hash, t);
      return { session: toSession(row) };
    },
    /** A new session with a new id; the browser's previous one, if any, is ended first. */
    start(c: Context, s: NewSession): void {
      this.end(c);
      const t = now();
      const expiresAt = Math.min(s.expiresAt, t + opts.maxMs);
      const id = insertSession(opts.db, { ...s, expiresAt }, t);
      setCookie(c, SESSION_COOKIE, id, cookieOptions(Math.max(0, Math.floor((expiresAt - t) / 1000))));
      if (t - lastSweep > 10 * 60 * 1000) {
        lastSweep = t;
        flushTouches();
        sweep.run(t, t - opts.idleMs);
      }
    },
    setPurpose(session: Session, purpose: string): void {
      setPurpose.run(purpose, now(), session.idHash);
    },
    /** Ends this browser's session, if it has one. */
    end(c: Context): void {
      const id = getCookie(c, SESSION_COOKIE);
      if (id) {
        const idHash = hashId(id);
        touches.delete(idHash);
        remove.run(idHash);
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
    if (/^\/[\/\\]/.test(out) || new URL(out, base).origin !== base) return fallback;
    return out;
  } catch {
    return fallback;
  }
}
