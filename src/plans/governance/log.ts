import type { Body, Q, Store } from '../../../db/runtime.js';
import type { Operator } from '../policy.js';
import type { AccessEventInput, AccessLog } from '../access-log/log.js';
import type { Clock } from '../core/clock.js';
import { fail, type Failure, type Result } from '../core/result.js';

export type GovernanceDeps = { db: Store; log: Pick<AccessLog, 'record'>; clock: Clock };

/**
 * What a governance event says changed. It goes into the access event's `query` as small JSON (never
 * secrets), so the hash chain and verify-audit cover it; `orgs` are the organisations concerned, whose
 * auditors see the event (access-log/events-store.ts inScope).
 */
export type GovernanceChange = { op: string; target: string; orgs: string[]; changes?: Record<string, unknown> };

export type Prepared<T> = {
  orgs: string[];
  changes?: Record<string, unknown>;
  /** The reason the operator gave, if any: the event's `reason`. */
  reason?: string;
  /**
   * The change itself: a transaction's body (db/runtime.ts), so it reads, decides and writes without
   * awaiting anything; a failure rolls it back (state moved since `prepare` read it). On PostgreSQL a body
   * that relies on what it read takes the aggregate's lock first, as SQLite's BEGIN IMMEDIATE would.
   */
  apply: (q: Q) => Body<Result<T>>;
};

export const CLI_ORG = '(cli)';

function eventActor(op: Operator): AccessEventInput['actor'] {
  if (op.via !== 'cli') return { sub: op.actor.sub, org: op.actor.org, roles: op.actor.roles };
  // Not a slug (slugs have no brackets), so it can never be mistaken for an organisation.
  return { sub: `cli:${op.user}`, org: CLI_ORG, roles: ['admin'] };
}

/**
 * A governance event for an act that is not one transaction of the register (a bulk import): the caller
 * records it before acting, so nothing is done unlogged. `change` is counts and names, never personal data.
 */
export function recordGovernance(
  deps: Pick<GovernanceDeps, 'log'>,
  op: Operator,
  change: GovernanceChange,
  outcome: 'allowed' | 'denied',
  reason?: string,
) {
  return deps.log.record({ actor: eventActor(op), action: 'governance', channel: op.via, purpose: null, query: change, outcome, reason });
}

class Rollback extends Error {
  constructor(readonly failure: Failure) {
    super(failure.detail);
  }
}

/**
 * One governance write. The access log is written by its own thread in its own transaction, so the
 * change and its event cannot share one: the event is committed FIRST and the change is applied only
 * once it is durable. A crash or failure in between leaves an event for a change that did not happen,
 * never a change nobody logged; a change that then cannot be applied (its state moved meanwhile: each
 * apply is a compare-and-set) is followed by a second, `denied` event saying so. Refusals by policy
 * are logged as `denied` too.
 */
export async function governed<T>(
  deps: GovernanceDeps,
  op: Operator,
  head: { op: string; target: string },
  prepare: () => Promise<Result<Prepared<T>>> | Result<Prepared<T>>,
): Promise<Result<T>> {
  const record = (change: GovernanceChange, outcome: 'allowed' | 'denied', reason?: string) =>
    deps.log.record({
      actor: eventActor(op),
      action: 'governance',
      channel: op.via,
      purpose: null,
      query: change,
      outcome,
      reason,
    });
  const prepared = await prepare();
  if (!prepared.ok) {
    if (prepared.code === 'forbidden') {
      const orgs = op.via !== 'cli' ? [op.actor.org] : [];
      await record({ ...head, orgs }, 'denied', `forbidden: ${prepared.detail}`).catch(() => undefined);
    }
    return prepared;
  }
  const { orgs, changes, reason, apply } = prepared.value;
  const change: GovernanceChange = { ...head, orgs, ...(changes ? { changes } : {}) };
  try {
    await record(change, 'allowed', reason);
  } catch {
    return fail('unavailable', 'the access log could not record this change, so nothing was changed; try again shortly');
  }
  let result: Result<T>;
  try {
    result = await deps.db.tx(function* (q) {
      const r = yield* apply(q);
      if (!r.ok) throw new Rollback(r);
      return r;
    });
  } catch (e) {
    const failure = e instanceof Rollback ? e.failure : fail('unavailable', 'the change could not be saved; nothing was changed');
    await record(change, 'denied', `not applied: ${failure.code}: ${failure.detail}`).catch(() => undefined);
    if (!(e instanceof Rollback)) throw e;
    return failure;
  }
  return result;
}
