import { canonicalJson, sha256Hex } from './canonical.js';

/** The chain starts from this "previous hash". */
export const GENESIS_HASH = '0'.repeat(64);

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

/**
 * hash = SHA-256(prevHash ‖ canonical JSON of the event's content). `seq` is deliberately left out: order
 * is carried by the prev-hash links alone, so a row moved to another position still hashes correctly
 * on its own and the verifier can say "reordered" rather than "altered".
 */
export function eventHash(prevHash: string, e: EventBody): string {
  // canonicalJson of the flat body, written out: keys in sorted order, every value a string, number or
  // null, so JSON.stringify gives the same bytes without sorting on the hot path (tested against it).
  const body = {
    action: e.action,
    actorOrg: e.actorOrg,
    actorRoles: e.actorRoles,
    actorSub: e.actorSub,
    at: e.at,
    channel: e.channel,
    outcome: e.outcome,
    planId: e.planId,
    purpose: e.purpose,
    query: e.query,
    reason: e.reason,
    resultPlanIds: e.resultPlanIds,
    versionId: e.versionId,
  };
  return sha256Hex(prevHash + JSON.stringify(body));
}

/** What a checkpoint signs: the chain head at a moment, and which key signed it. */
export type CheckpointBody = { at: string; headSeq: number; headHash: string; keyId: string };
export const checkpointPayload = (c: CheckpointBody) =>
  canonicalJson({ at: c.at, headSeq: c.headSeq, headHash: c.headHash, keyId: c.keyId });
