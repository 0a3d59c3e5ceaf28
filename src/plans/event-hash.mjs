// The access log's chain hash, in plain JS: the writer thread (access-log-writer.mjs) and the TypeScript
// code (access-chain.ts, the verifier) must compute exactly the same bytes, so there is one copy.
import { createHash } from 'node:crypto';

/** The chain starts from this "previous hash". */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * hash = SHA-256(prevHash ‖ canonical JSON of the event's content). `seq` is deliberately left out: order
 * is carried by the prev-hash links alone, so a row moved to another position still hashes correctly
 * on its own and the verifier can say "reordered" rather than "altered".
 */
export function eventHash(prevHash, e) {
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
  return createHash('sha256').update(prevHash + JSON.stringify(body)).digest('hex');
}
