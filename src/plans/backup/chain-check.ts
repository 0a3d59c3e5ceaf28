// The access log checked from its rows as they stream past (a backup being written or restored), with the
// chain's own code (chain.ts, signer.ts): nothing is held but the running head.
import type { KeyObject } from 'node:crypto';
import { checkpointPayload, eventHash, GENESIS_HASH, type EventBody } from '../access-log/chain.js';
import { EVENT_FIELDS } from '../access-log/columns.mjs';
import { verifySignature } from '../access-log/signer.js';
import type { ChainHead, Row } from './format.js';

/** The public keys a restore checks checkpoint signatures with, by key id (chain.ts keyId). */
export type CheckpointKeys = {
  keys: Map<string, KeyObject>;
  /** Given by the operator (--public-key): a checkpoint signed by any other key is refused. Otherwise it
   *  is the deployment's own key, and checkpoints signed by another are counted as not checked. */
  explicit: boolean;
};

export type CheckpointTally = { total: number; verified: number; unchecked: number; uncheckedKeys: string[] };

export class ChainWalk {
  private expected = 1;
  private prev = GENESIS_HASH;
  private lastCheckpointHead = 0;
  private readonly tally: CheckpointTally = { total: 0, verified: 0, unchecked: 0, uncheckedKeys: [] };

  constructor(private readonly keys: CheckpointKeys = { keys: new Map(), explicit: false }) {}

  /** The next access event, in seq order: a problem in words, or undefined when it continues the chain. */
  event(row: Row): string | undefined {
    const seq = row.seq as number;
    const body = {} as Record<keyof EventBody, unknown>;
    for (const [field, column] of EVENT_FIELDS) body[field] = row[column];
    const hash = row.hash as string;
    let problem: string | undefined;
    if (seq !== this.expected) {
      const range = seq - 1 > this.expected ? `${this.expected}–${seq - 1}` : `${this.expected}`;
      problem = seq > this.expected ? `access event ${range} is missing (deleted)` : `access event ${seq} is out of order`;
    } else if (eventHash(row.prev_hash as string, body as unknown as EventBody) !== hash) {
      problem = `access event ${seq} does not match its hash: its content was altered`;
    } else if (row.prev_hash !== this.prev) {
      problem = `access event ${seq} does not follow event ${seq - 1}: the chain is broken`;
    }
    this.prev = hash;
    this.expected = seq + 1;
    return problem;
  }

  head(): ChainHead {
    return { seq: this.expected - 1, hash: this.prev };
  }

  /**
   * The next checkpoint, in id order, once every event has passed: its signature, and that it covers no
   * event beyond the chain's end. Whether its head hash is the chain's at that point is a join the store
   * answers (a checkpoint per commit: as many as events, too many to hold their heads here).
   */
  checkpoint(row: Row): string | undefined {
    const id = row.id as number;
    const headSeq = row.head_seq as number;
    const keyId = row.key_id as string;
    this.tally.total += 1;
    const key = this.keys.keys.get(keyId);
    let problem: string | undefined;
    if (key) {
      const payload = checkpointPayload({ at: row.at as string, headSeq, headHash: row.head_hash as string, keyId });
      if (verifySignature(key, payload, row.signature as string)) this.tally.verified += 1;
      else problem = `checkpoint #${id}: its signature does not verify: the checkpoint was altered or forged`;
    } else if (this.keys.explicit) {
      problem = `checkpoint #${id} is signed by key ${keyId.slice(0, 16)}…, not by a key given with --public-key`;
    } else {
      this.tally.unchecked += 1;
      if (!this.tally.uncheckedKeys.includes(keyId) && this.tally.uncheckedKeys.length < 10) this.tally.uncheckedKeys.push(keyId);
    }
    if (!problem && headSeq < this.lastCheckpointHead) {
      problem = `checkpoint #${id} goes backwards (head ${headSeq} after ${this.lastCheckpointHead}): checkpoints were reordered`;
    }
    if (!problem && headSeq > this.expected - 1) {
      problem = `checkpoint #${id} covers events up to ${headSeq}, but the log ends at ${this.expected - 1}: events were cut from its end`;
    }
    this.lastCheckpointHead = Math.max(this.lastCheckpointHead, headSeq);
    return problem;
  }

  checkpoints(): CheckpointTally {
    return { ...this.tally, uncheckedKeys: [...this.tally.uncheckedKeys] };
  }

  /** Events after the newest checkpoint's head: covered by the chain only. */
  uncheckpointed(): number {
    return this.expected - 1 - this.lastCheckpointHead;
  }
}
