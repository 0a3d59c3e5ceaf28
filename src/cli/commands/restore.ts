import { createPublicKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { BackupFileError, restoreBackup, StoreNotEmpty } from '../../plans/backup/backup.js';
import type { CheckpointKeys } from '../../plans/backup/chain-check.js';
import { auditKeyFile, keyIdOf, loadAuditSigner } from '../../plans/access-log/signer.js';
import { CliError, parseCommandArgs, usageError, type Command } from '../command.js';
import { countLines } from './backup.js';

/** The keys given with --public-key, or else the deployment's own (DATA_DIR/keys), or none. */
function checkpointKeys(files: string[] | undefined, dataDir: string): CheckpointKeys & { source: string } {
  const keys = new Map<string, KeyObject>();
  if (files?.length) {
    for (const f of files) {
      let key: KeyObject;
      try {
        key = createPublicKey(fs.readFileSync(f, 'utf8'));
      } catch (e) {
        throw new CliError(`cannot read --public-key ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      keys.set(keyIdOf(key), key);
    }
    return { keys, explicit: true, source: files.join(', ') };
  }
  const own = loadAuditSigner(dataDir, { create: false });
  if (own) {
    const key = createPublicKey(own.publicKeyPem);
    keys.set(keyIdOf(key), key);
  }
  return { keys, explicit: false, source: auditKeyFile(dataDir) };
}

export const restoreCommand: Command = {
  name: 'restore',
  summary:
    'load a backup into an EMPTY store (SQLite, or PostgreSQL with DATABASE_URL) in one transaction: the chain and the checkpoints verified first; a damaged file or a non-empty store is refused and nothing changes',
  usage:
    'restore FILE [--public-key KEY.pem …]   (the key(s) that signed the checkpoints, from `audit-key`; default: the one under DATA_DIR/keys)',
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(this, args, { 'public-key': { type: 'string', multiple: true } });
    if (positionals.length !== 1) throw usageError(this, 'give exactly one FILE');
    const file = positionals[0]!;
    if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`);
    const keys = checkpointKeys(values['public-key'], ctx.config.dataDir);
    const db = await ctx.db();
    const s = await restoreBackup(db, file, {
      keys,
      onProgress: (line) => ctx.isTTY && process.stderr.write(`\rrestoring: line ${line}`),
    }).catch((e: unknown) => {
      if (ctx.isTTY) process.stderr.write('\n');
      if (e instanceof StoreNotEmpty) throw new CliError(`restore refused: ${e.message}`);
      if (e instanceof BackupFileError) throw new CliError(`restore refused: ${e.message}. Nothing was restored: the store is as empty as before`);
      throw e;
    });
    if (ctx.isTTY) process.stderr.write('\n');
    const to = db.kind === 'pg' ? 'PostgreSQL' : 'SQLite';
    const from = s.from.dialect === 'pg' ? 'PostgreSQL' : 'SQLite';
    ctx.out(`restored ${file} (a ${from} backup of ${s.from.createdAt}) into the ${to} store in ${(s.ms / 1000).toFixed(1)} s`);
    for (const l of countLines(s.counts)) ctx.out(l);
    ctx.out(`access log chain verified: ${s.chainHead.seq} events, head event ${s.chainHead.seq} ${s.chainHead.hash}`);
    const c = s.checkpoints;
    const covered = s.uncheckpointed ? ` (${s.uncheckpointed} newest events not under a checkpoint)` : '';
    if (c.total === 0) ctx.out('checkpoints: none in the backup');
    else if (c.unchecked === 0) ctx.out(`checkpoints: ${c.total}, every signature verified with ${keys.source}, every head in the chain${covered}`);
    else {
      const why = keys.keys.size
        ? `signed by key ${c.uncheckedKeys.map((k) => `${k.slice(0, 16)}…`).join(', ')}, not the one under ${keys.source}`
        : `no public key (none under ${keys.source})`;
      ctx.out(`checkpoints: ${c.total}, every head in the chain${covered}, ${c.verified} signatures verified`);
      ctx.err(
        `warning: the signatures of ${c.unchecked} checkpoints could NOT be checked: ${why}. ` +
          'Check them with `verify-audit --public-key KEY.pem` (KEY.pem from `audit-key` on the deployment that wrote them), ' +
          'or restore again with --public-key.',
      );
    }
    ctx.out('search: the index is rebuilt from the plans when the service next starts');
    return 0;
  },
};
