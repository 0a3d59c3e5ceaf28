import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { latestCheckpoint, readWitness, WitnessReadError, witnessedForm } from '../../plans/access-log/checkpoints.js';
import { checkpointPublicKeys, keyIdOf, loadAuditSigner, publicKeyFrom } from '../../plans/access-log/signer.js';
import { describeSummary, verifyAuditLog } from '../../plans/access-log/verify.js';
import { CliError, parseCommandArgs, type Command } from '../command.js';

const MAX_LINES = 1000;

export const verifyAuditCommand: Command = {
  name: 'verify-audit',
  summary: "check the access log's hash chain and signed checkpoints; non-zero exit, a count, the ranges and every bad event if broken",
  usage:
    'verify-audit [--public-key FILE …] [--witness PATH]   (keys: default every checkpoint key in KEYS_DIR, current and rotated out; ' +
    'pass exported copies to trust only those. ' +
    'PATH: AUDIT_WITNESS_DIR or one saved checkpoint; every checkpoint there must be in the log)',
  async run(args, ctx) {
    const { values } = parseCommandArgs(this, args, { 'public-key': { type: 'string', multiple: true }, witness: { type: 'string' } });
    const given = values['public-key'];
    const keys = given?.length ? givenPublicKeys(given) : checkpointPublicKeys(ctx.config.keysDir);
    function* witnessed(where: string) {
      for (const w of readWitness(where)) yield w.checkpoint;
    }
    let r: Awaited<ReturnType<typeof verifyAuditLog>>;
    try {
      r = await verifyAuditLog(await ctx.db(), keys, { witness: values.witness === undefined ? undefined : witnessed(values.witness) });
    } catch (e) {
      // A witness file is read as the check reaches it.
      if (e instanceof WitnessReadError) throw new CliError(`--witness: ${e.message}`);
      throw e;
    }
    const w = r.witness;
    const witnessLine =
      w &&
      `witness ${values.witness}: ${w.checked} checkpoint${w.checked === 1 ? '' : 's'}` +
        (w.notInLog ? `, ${w.notInLog} naming a head NOT in this log` : ', all in this log') +
        `; the newest of ${w.at}, head event ${w.headSeq} ${w.headHash}` +
        (w.contained ? ' — in this log' : ' — NOT in this log');
    if (!r.ok) {
      ctx.err(
        `access log BROKEN: ${r.problemCount} bad event${r.problemCount === 1 ? '' : 's'}, the first at event ${r.problem!.seq} (${r.problem!.kind})`,
      );
      for (const s of r.summary) ctx.err(`  ${describeSummary(s)}`);
      // Every event is listed up to a point: enough to act on, without flooding a terminal.
      for (const p of r.problems.slice(0, MAX_LINES)) ctx.err(`  event ${p.seq}${p.to ? `–${p.to}` : ''} (${p.kind}): ${p.detail}`);
      const unlisted = r.problems.length > MAX_LINES || r.problemsTruncated;
      if (unlisted) ctx.err(`  … listing stopped at ${MAX_LINES} lines; the counts and ranges above cover every bad event`);
      if (witnessLine) ctx.err(witnessLine);
      ctx.err(`walked ${r.events} events, ${r.checkpoints} checkpoints`);
      return 1;
    }
    if (witnessLine) ctx.out(witnessLine);
    ctx.out(
      `access log OK: ${r.events} events, head ${r.head.seq} ${r.head.hash.slice(0, 16)}…, ${r.checkpoints} signed checkpoints` +
        (r.uncheckpointed ? ` (${r.uncheckpointed} newest events not yet under a checkpoint)` : ''),
    );
    return 0;
  },
};

export const auditKeyCommand: Command = {
  name: 'audit-key',
  summary: 'print the public key (PEM) that verifies access-log checkpoints; keep a copy away from this machine',
  usage: 'audit-key',
  async run(args, ctx) {
    parseCommandArgs(this, args, {});
    const signer = loadAuditSigner(ctx.config.keysDir, { create: false });
    if (!signer) throw new CliError(`no audit signing key under ${ctx.config.keysDir} yet (the service, or keys init, creates it)`);
    ctx.out(signer.publicKeyPem.trimEnd());
    return 0;
  },
};

export const auditCheckpointCommand: Command = {
  name: 'audit-checkpoint',
  summary:
    "print the access log's newest signed checkpoint (JSON) for a person to keep off the machine; `verify-audit --witness FILE` checks a copy against it",
  usage: 'audit-checkpoint',
  async run(args, ctx) {
    parseCommandArgs(this, args, {});
    const newest = await latestCheckpoint(await ctx.db());
    if (!newest) throw new CliError('no signed checkpoint yet: the access log has had no commit with the signing key');
    ctx.out(JSON.stringify(witnessedForm(newest), null, 2));
    return 0;
  },
};

/** The public keys in the files given with --public-key, by key id; an unreadable or wrong one is a clear error. */
export function givenPublicKeys(files: string[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const f of files) {
    let pem: string;
    try {
      pem = fs.readFileSync(f, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read --public-key ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const key = publicKeyFrom(pem, `--public-key ${f}`);
    keys.set(keyIdOf(key), key);
  }
  return keys;
}
