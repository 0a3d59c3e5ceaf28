// The access log's chain hash, in plain JS: the writer thread (writer.mjs) and the TypeScript
// code (chain.ts, the verifier) must compute exactly the same bytes, so there is one copy.
import crypto from 'node:crypto';
import { EVENT_FIELD_NAMES } from '../columns.mjs';

/** The chain starts from this "previous hash". */
export const GENESIS_HASH = '0'.repeat(64);

// crypto.hash (Node 20.12+) is one call where createHash is three objects: less than half the writer
// thread's cost per event for this step (as canonical.ts does for records).
/** @type {(data: string) => string} */
const sha256Hex =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

/**
 * hash = SHA-256(prevHash ‖ canonical JSON of the event's content). `seq` is deliberately left out: order
 * is carried by the prev-hash links alone, so a row moved to another position still hashes correctly
 * on its own and the verifier can say "reordered" rather than "altered".
 * @param {string} prevHash
 * @param {import('../columns.mjs').EventBody} e
 * @returns {string}
 */
export function eventHash(prevHash, e) {
  // canonicalJson of the flat body: EVENT_FIELDS is in sorted order and every value is a string, number
  // or null, so JSON.stringify gives the same bytes without sorting on the hot path (tested against it).
  /** @type {Record<string, unknown>} */
  const body = {};
  for (const f of EVENT_FIELD_NAMES) body[f] = e[f];
  return sha256Hex(prevHash + JSON.stringify(body));
}

/**
 * What a checkpoint signs: canonical JSON of its four fields. Written out in sorted key order rather than
 * sorted at run time, since the writer thread signs one per commit (tested against canonicalJson).
 * @param {{ at: string; headSeq: number; headHash: string; keyId: string }} c
 * @returns {string}
 */
export function checkpointPayload(c) {
  return JSON.stringify({ at: c.at, headHash: c.headHash, headSeq: c.headSeq, keyId: c.keyId });
}
