import { BackupFileError, writeBackup } from '../../plans/backup/backup.js';
import { CliError, parseCommandArgs, usageError, type Command } from '../command.js';

const size = (n: number) => (n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

/** "  organisations        6" lines, one per table. */
export function countLines(counts: Record<string, number>): string[] {
  const width = Math.max(...Object.keys(counts).map((t) => t.length));
  return Object.entries(counts).map(([t, n]) => `  ${t.padEnd(width)}  ${n}`);
}

export const backupCommand: Command = {
  name: 'backup',
  summary:
    "a consistent snapshot of the configured store (SQLite, or PostgreSQL with DATABASE_URL) to a new gzip'd NDJSON file, taken while the service runs; prints the counts and the access log's chain head",
  usage: 'backup FILE   (FILE must not exist; restore it into an empty store of either kind with `restore FILE`)',
  async run(args, ctx) {
    const { positionals } = parseCommandArgs(this, args, {});
    if (positionals.length !== 1) throw usageError(this, 'give exactly one FILE');
    const file = positionals[0]!;
    const db = await ctx.db();
    let shown = '';
    const s = await writeBackup(db, file, {
      now: ctx.now,
      onProgress: (table) => {
        if (ctx.isTTY && table !== shown) process.stderr.write(`backing up ${(shown = table)}…\n`);
      },
    }).catch((e: unknown) => {
      throw e instanceof BackupFileError ? new CliError(`backup failed: ${e.message}`) : e;
    });
    const store = s.dialect === 'pg' ? 'PostgreSQL' : 'SQLite';
    const took = `${(s.ms / 1000).toFixed(1)} s`;
    ctx.out(`backup of the ${store} store written to ${s.file}: ${size(s.bytes)} (${size(s.rawBytes)} uncompressed) in ${took}`);
    for (const l of countLines(s.counts)) ctx.out(l);
    ctx.out(`access log chain head: event ${s.chainHead.seq} ${s.chainHead.hash}`);
    if (s.chainProblem) {
      ctx.err(
        `warning: the access log's chain is broken as stored: ${s.chainProblem}. The backup holds the log exactly as stored ` +
          '(evidence), and restore refuses it; `verify-audit` lists every bad event.',
      );
      return 1;
    }
    return 0;
  },
};
