import { ConfigError, loadConfig } from '../config.js';
import { databaseFile, openDatabase, type Db } from '../../db/index.js';
import { CliError, type CliContext, type Command } from './command.js';
import { auditKeyCommand, verifyAuditCommand } from './commands/audit.js';
import { dsaAdd, dsaEnd, dsaList } from './commands/dsa.js';
import { importCommand } from './commands/import.js';
import { orgAdd, orgList, orgOidc } from './commands/org.js';
import { reindexCommand } from './commands/reindex.js';
import { seedCommand } from './commands/seed.js';
import { tokenCommand } from './commands/token.js';

/** Every command the CLI knows; CONTRACTS §4 lists the ones others rely on. */
export const commands: Command[] = [orgAdd, orgList, orgOidc, dsaAdd, dsaList, dsaEnd, importCommand, tokenCommand, seedCommand, reindexCommand, verifyAuditCommand, auditKeyCommand];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: npm run cli -- <command> [options]   (--help on each command)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function runCli(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const out = (l: string) => process.stdout.write(`${l}\n`);
  const err = (l: string) => process.stderr.write(`${l}\n`);
  const cmd = commands
    .filter((c) => c.name.split(' ').every((word, i) => argv[i] === word))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (!cmd) {
    const askedForHelp = argv.length === 0 || ['--help', '-h', 'help'].includes(argv[0]!);
    if (!askedForHelp) err(`unknown command: ${argv.join(' ')}\n`);
    (askedForHelp ? out : err)(help());
    return askedForHelp ? 0 : 2;
  }
  const args = argv.slice(cmd.name.split(' ').length);
  if (args.includes('--help') || args.includes('-h')) {
    out(`npm run cli -- ${cmd.usage}\n\n${cmd.summary}`);
    return 0;
  }
  let db: Db | undefined;
  try {
    const config = loadConfig(env);
    const ctx: CliContext = {
      config,
      db: () => (db ??= openDatabase(databaseFile(config.dataDir))),
      out,
      err,
      isTTY: Boolean(process.stderr.isTTY),
      now: () => new Date(),
    };
    return await cmd.run(args, ctx);
  } catch (e) {
    if (e instanceof CliError || e instanceof ConfigError) {
      err(`error: ${e.message}`);
      return e instanceof CliError ? e.exitCode : 2;
    }
    throw e;
  } finally {
    db?.$client.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`unexpected failure: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
