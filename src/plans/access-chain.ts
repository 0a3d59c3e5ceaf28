import { canonicalJson } from './canonical.js';

// The chain hash lives in plain JS so the writer thread computes it with the very same code.
export { eventHash, GENESIS_HASH } from './event-hash.mjs';

/** An access event as stored: JSON fields are kept as the exact strings written, so hashes re-verify. */
export type StoredEvent = {
  seq: number;
  at: string;
  actorSub: string | null;
  actorOrg: string | null;
  actorRoles: string | null;
  action: string;
  channel: string;
  purpose: string | null;
  planId: string | null;
  versionId: number | null;
  query: string | null;
  resultPlanIds: string | null;
  outcome: string;
  reason: string | null;
  prevHash: string;
  hash: string;
};

export type EventBody = Omit<StoredEvent, 'seq' | 'prevHash' | 'hash'>;

/** What a checkpoint signs: the chain head at a moment, and which key signed it. */
export type CheckpointBody = { at: string; headSeq: number; headHash: string; keyId: string };
export const checkpointPayload = (c: CheckpointBody) =>
  canonicalJson({ at: c.at, headSeq: c.headSeq, headHash: c.headHash, keyId: c.keyId });
