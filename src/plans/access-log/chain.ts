// The chain hash and the checkpoint payload live in plain JS so the writer thread computes them with the
// very same code.
export { checkpointPayload, eventHash, GENESIS_HASH } from './writer/hash.mjs';

// The event's shape is defined with its columns (columns.mjs), which the writer thread shares.
export type { EventBody, StoredEvent } from './columns.mjs';

/** What a checkpoint signs: the chain head at a moment, and which key signed it. */
export type CheckpointBody = { at: string; headSeq: number; headHash: string; keyId: string };
/** A checkpoint as stored and as witnessed: its body and the signature over `checkpointPayload(body)`. */
export type SignedCheckpoint = CheckpointBody & { signature: string };
