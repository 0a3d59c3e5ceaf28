import os from 'node:os';
import type { Operator } from '../plans/policy.js';
import { createAccessLog } from '../plans/access-log/log.js';
import { loadAuditSigner } from '../plans/access-log/signer.js';
import { createAuditWitness } from '../plans/access-log/witness.js';
import type { GovernanceDeps } from '../plans/governance/log.js';
import type { Result } from '../plans/core/result.js';
import { CliError, type CliContext } from './command.js';

/**
 * The operator at this machine, recorded in governance events as `cli:<os user>` (channel `cli`): the
 * CLI has no sign-in, so the account that ran it is the best "who" there is.
 */
export function cliOperator(): Operator {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return { via: 'cli', user };
}

/** Gives `use` an access log of its own, closed (and checkpointed) before returning. */
export async function withGovernanceLog<T>(ctx: CliContext, use: (deps: GovernanceDeps, op: Operator) => Promise<T>): Promise<T> {
  const db = await ctx.db();
  const witness = ctx.config.auditWitnessDir ? createAuditWitness(ctx.config.auditWitnessDir) : undefined;
  // The change's checkpoint goes to the witness before the command returns (close flushes it).
  const log = createAccessLog(db, { clock: ctx.now, signer: loadAuditSigner(ctx.config.keysDir, { create: false }), witness });
  // The log's writer thread is unref'd (a service must be able to exit): without this the process could
  // end while the event is still on its way, before the change is made.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    return await use({ db, log, clock: ctx.now }, cliOperator());
  } finally {
    await log.close();
    clearInterval(keepAlive);
    const w = witness?.state();
    if (w && !w.ok)
      ctx.err(
        `warning: the checkpoint could not be written to AUDIT_WITNESS_DIR (${w.reason}); the service's next one covers it once the witness works`,
      );
  }
}

/** Runs one governed change (see withGovernanceLog); a refusal is a CliError with the domain's words. */
export function withGovernance<T>(ctx: CliContext, change: (deps: GovernanceDeps, op: Operator) => Promise<Result<T>>): Promise<T> {
  return withGovernanceLog(ctx, async (deps, op) => {
    const result = await change(deps, op);
    if (!result.ok) throw new CliError(result.detail);
    return result.value;
  });
}
