import type { Db } from '../../db/index.js';
import type { accessActions, accessChannels, accessOutcomes } from '../../db/schema/audit.js';
import { checkpointPayload, eventHash, GENESIS_HASH, type EventBody } from './access-chain.js';
import type { AuditSigner } from './audit-signer.js';
import type { Clock } from './clock.js';

export type AccessAction = (typeof accessActions)[number];
export type AccessChannel = (typeof accessChannels)[number];
export type AccessOutcome = (typeof accessOutcomes)[number];

/** What a route tells the log about one request (CONTRACTS: search, view, QR scan, print, export…). */
export type AccessEventInput = {
  actor: { sub: string; org: string; roles: readonly string[] } | null;
  action: AccessAction;
  channel: AccessChannel;
  purpose: string | null;
  planId?: string | null;
  versionId?: number | null;
  /** The search terms or lookup key as given. */
  query?: Record<string, unknown>;
  /** Every plan a search returned, so each person's report can count the searches that surfaced them. */
  resultPlanIds?: string[];
  outcome: AccessOutcome;
  reason?: string;
};

export interface AccessLog {
  /** Resolves once the event is durably committed; rejects if it could not be written (serve nothing). */
  record(e: AccessEventInput): Promise<void>;
  /** Commits what is queued, writes a final checkpoint and stops the checkpoint timer. */
  close(): Promise<void>;
}

export type ChainHead = { seq: number; hash: string };

export type AccessLogOptions = {
  clock: Clock;
  /** Signs checkpoints of the chain head; without it no checkpoints are written. */
  signer?: AuditSigner;
  /** How often to checkpoint the head when it has moved (default one minute; 0 = only on close). */
  checkpointEveryMs?: number;
  /** Operational errors only: never the event itself. */
  onError?: (err: Error) => void;
};

type Pending = { body: EventBody; resolve: () => void; reject: (e: Error) => void };

const cap = (s: string | null | undefined, n: number) => (s == null ? null : s.length > n ? s.slice(0, n) : s);

export function toEventBody(e: AccessEventInput, at: Date): EventBody {
  return {
    at: at.toISOString(),
    actorSub: e.actor?.sub ?? null,
    actorOrg: e.actor?.org ?? null,
    actorRoles: e.actor ? JSON.stringify(e.actor.roles) : null,
    action: e.action,
    channel: e.channel,
    purpose: cap(e.purpose, 500),
    planId: cap(e.planId, 100),
    versionId: e.versionId ?? null,
    query: e.query ? JSON.stringify(e.query) : null,
    resultPlanIds: e.resultPlanIds ? JSON.stringify(e.resultPlanIds) : null,
    outcome: e.outcome,
    reason: cap(e.reason, 500),
  };
}

/**
 * The access log writer. Group commit: events from concurrent requests queue up while the event loop is
 * busy and are committed together in one transaction (one fsync with synchronous=FULL) on the next turn;
 * each request awaits its batch. The chain head lives in memory and only moves after a commit succeeds,
 * so a failed batch leaves no hole. One writer per database file (the service process).
 */
export function createAccessLog(db: Db, opts: AccessLogOptions): AccessLog & {
  head(): ChainHead;
  checkpoint(): boolean;
  /** Commits and events written so far: group commit shows as far fewer batches than events. */
  stats(): { batches: number; events: number };
} {
  const sqlite = db.$client;
  const insert = sqlite.prepare(
    `INSERT INTO access_events (seq, at, actor_sub, actor_org, actor_roles, action, channel, purpose, plan_id,
       version_id, query, result_plan_ids, outcome, reason, prev_hash, hash)
     VALUES (@seq, @at, @actorSub, @actorOrg, @actorRoles, @action, @channel, @purpose, @planId,
       @versionId, @query, @resultPlanIds, @outcome, @reason, @prevHash, @hash)`,
  );
  const insertCheckpoint = sqlite.prepare(
    'INSERT INTO audit_checkpoints (at, head_seq, head_hash, key_id, signature) VALUES (?, ?, ?, ?, ?)',
  );
  const last = sqlite.prepare('SELECT seq, hash FROM access_events ORDER BY seq DESC LIMIT 1').get() as ChainHead | undefined;
  let head: ChainHead = last ?? { seq: 0, hash: GENESIS_HASH };
  const lastCp = sqlite.prepare('SELECT max(head_seq) AS s FROM audit_checkpoints').get() as { s: number | null };
  let checkpointedSeq = lastCp.s ?? 0;

  const commitBatch = sqlite.transaction((batch: Pending[]): ChainHead => {
    let { seq, hash } = head;
    for (const p of batch) {
      const prevHash = hash;
      seq += 1;
      hash = eventHash(prevHash, p.body);
      insert.run({ ...p.body, seq, prevHash, hash });
    }
    return { seq, hash };
  });

  let queue: Pending[] = [];
  let scheduled = false;
  let closed = false;
  let idle: Promise<void> = Promise.resolve();
  let markIdle: (() => void) | undefined;
  const stats = { batches: 0, events: 0 };

  function flush() {
    scheduled = false;
    const batch = queue;
    queue = [];
    try {
      head = commitBatch(batch);
      stats.batches += 1;
      stats.events += batch.length;
      for (const p of batch) p.resolve();
    } catch (e) {
      opts.onError?.(e as Error);
      for (const p of batch) p.reject(e as Error);
    }
    markIdle?.();
    markIdle = undefined;
  }

  function checkpoint(): boolean {
    if (!opts.signer || head.seq === 0 || head.seq === checkpointedSeq) return false;
    const body = { at: opts.clock().toISOString(), headSeq: head.seq, headHash: head.hash, keyId: opts.signer.keyId };
    try {
      insertCheckpoint.run(body.at, body.headSeq, body.headHash, body.keyId, opts.signer.sign(checkpointPayload(body)));
      checkpointedSeq = head.seq;
      return true;
    } catch (e) {
      opts.onError?.(e as Error);
      return false;
    }
  }

  const every = opts.checkpointEveryMs ?? 60_000;
  const timer = opts.signer && every > 0 ? setInterval(checkpoint, every) : undefined;
  timer?.unref();

  return {
    record(e) {
      if (closed) return Promise.reject(new Error('the access log is closed'));
      let body: EventBody;
      try {
        body = toEventBody(e, opts.clock());
      } catch (err) {
        return Promise.reject(err as Error);
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ body, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          idle = new Promise((r) => (markIdle = r));
          setImmediate(flush);
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (scheduled) await idle;
      if (timer) clearInterval(timer);
      checkpoint();
    },
    head: () => ({ ...head }),
    checkpoint,
    stats: () => ({ ...stats }),
  };
}
