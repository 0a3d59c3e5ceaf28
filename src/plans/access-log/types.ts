// The access log's contract, shared by its two writers (log.ts over SQLite, pg-log.ts over PostgreSQL).
import type { accessActions, accessChannels, accessOutcomes } from '../../../db/schema/audit.js';
import type { Clock } from '../core/clock.js';
import type { AuditSigner } from './signer.js';
import type { AuditWitness } from './witness.js';
import type { ChainHead } from './writer/protocol.mjs';

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
  /**
   * Resolves once every event committed so far is in the per-plan lookup (access_event_plans), built by
   * the writer thread so the caller's event loop stays free; call before a query that reads it.
   */
  planLookup(): Promise<void>;
  /** Commits what is queued, stops the writer and hands the newest checkpoint to the witness. */
  close(): Promise<void>;
}

export type { ChainHead };

export type AccessLogOptions = {
  clock: Clock;
  /**
   * Signs a checkpoint of the chain head in every commit (the writer thread holds the key); without it no
   * checkpoints are written.
   */
  signer?: AuditSigner;
  /** AUDIT_WITNESS_DIR: receives each new checkpoint after its commit, off the request path. */
  witness?: AuditWitness;
  /**
   * Batches on their way to the writer before it answers (default 1). Events recorded meanwhile wait
   * here and go together the moment it answers. More than one lets the writer take several per commit,
   * at the cost of a message and a wake-up each: no difference in the bench beyond its noise (12.4–15.4k
   * plan views/s either way over four runs), with ~100% service CPU against 105–114% unlimited.
   */
  maxBatchesInFlight?: number;
  /** How long the log must be quiet before the writer builds the plan lookup (default 100 ms). */
  indexWhenIdleMs?: number;
  /** Events the lookup may fall behind under sustained load before each commit pays a pass (100,000). */
  forceIndexBacklog?: number;
  /** SQLite: how often the checkpointer thread copies the WAL into the database (default 500 ms). */
  checkpointEveryMs?: number;
  /** Operational errors only: never the event itself. */
  onError?: (err: Error) => void;
};

export type AccessLogStats = { batches: number; events: number; checkpoints: number; commitMsTotal: number; commitMsMax: number };
