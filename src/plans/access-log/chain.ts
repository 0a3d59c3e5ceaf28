import { canonicalJson } from '../core/canonical.js';

// The chain hash lives in plain JS so the writer thread computes it with the very same code.
export { eventHash, GENESIS_HASH } from './writer/hash.mjs';

// The event's shape is defined with its columns (access-log-columns.mjs), which the writer thread shares.
export type { EventBody, StoredEvent } from './columns.mjs';

/** What a checkpoint signs: the chain head at a moment, and which key signed it. */
export type CheckpointBody = { at: string; headSeq: number; headHash: string; keyId: string };
export const checkpointPayload = (c: CheckpointBody) =>
  canonicalJson({ at: c.at, headSeq: c.headSeq, headHash: c.headHash, keyId: c.keyId });
