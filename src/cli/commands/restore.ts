import fs from 'node:fs';
import { BackupFileError, restoreBackup, StoreNotEmpty } from '../../plans/backup/backup.js';
import type { CheckpointKeys } from '../../plans/backup/chain-check.js';
import { checkpointKeysDir, checkpointPublicKeys } from '../../plans/access-log/signer.js';
import { givenPublicKeys } from './audit.js';
import { CliError, parseCommandArgs, usageError, type Command } from '../command.js';
import { countLines } from './backup.js';

/** The keys given with --public-key, or else the deployment's own (every checkpoint key in KEYS_DIR), or none. */
function checkpointKeys(files: string[] | undefined, keysDir: string): CheckpointKeys & { source: string } {
  if (files?.length) return { keys: givenPublicKeys(files), explicit: true, source: files.join(', ') };
  return { keys: checkpointPublicKeys(keysDir), explicit: false, source: checkpointKeysDir(keysDir) };
}

export const restoreCommand: Command = {
  name: 'restore',
  summary:
    'load a backup into an EMPTY store (SQLite, or PostgreSQL with DATABASE_URL) in one transaction: the chain and the checkpoints verified first; a damaged file or a non-empty store is refused and nothing changes',
  usage:
    'restore FILE [--public-key KEY.pem …]   (the key(s) that signed the checkpoints, from `audit-key`; default: every checkpoint key in KEYS_DIR)',
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(this, args, { 'public-key': { type: 'string', multiple: true } });
    if (positionals.length !== 1) throw usageError(this, 'give exactly one FILE');
    const file = positionals[0]!;
    if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`);
    const keys = checkpointKeys(values['public-key'], ctx.config.keysDir);
    const db = await ctx.db();
    const s = await restoreBackup(db, file, {
      keys,
      onProgress: (line) => ctx.isTTY && process.stderr.write(`\rrestoring: line ${line}`),
    }).catch((e: unknown) => {
      if (ctx.isTTY) process.stderr.write('\n');
      if (e instanceof StoreNotEmpty) throw new CliError(`restore refused: ${e.message}`);
      if (e instanceof BackupFileError)
        throw new CliError(`restore refused: ${e.message}. Nothing was restored: the store is as empty as before`);
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
    else if (c.unchecked === 0)
      ctx.out(`checkpoints: ${c.total}, every signature verified with ${keys.source}, every head in the chain${covered}`);
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
