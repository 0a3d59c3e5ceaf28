import { ConfigError, loadConfig } from '../config.js';
import { openStore, type Db } from '../../db/index.js';
import { CliError, type CliContext, type Command } from './command.js';
import { KeyFileError } from '../plans/keys/key-files.js';

/**
 * Every command the CLI knows, by name (CONTRACTS §4 lists the ones others rely on). A command's module
 * is loaded only when it runs, or for the full help: loading every command's dependencies (jose, the
 * search engine's client, the access log's worker) took half a second of each run before any work.
 */
const commands: Record<string, () => Promise<Command>> = {
  'org add': async () => (await import('./commands/org.js')).orgAdd,
  'org list': async () => (await import('./commands/org.js')).orgList,
  'org oidc': async () => (await import('./commands/org.js')).orgOidc,
  'org kind': async () => (await import('./commands/org.js')).orgKind,
  'org enable': async () => (await import('./commands/org.js')).orgEnable,
  'dsa add': async () => (await import('./commands/dsa.js')).dsaAdd,
  'dsa list': async () => (await import('./commands/dsa.js')).dsaList,
  'dsa end': async () => (await import('./commands/dsa.js')).dsaEnd,
  'dsa accept': async () => (await import('./commands/dsa.js')).dsaAccept,
  import: async () => (await import('./commands/import.js')).importCommand,
  token: async () => (await import('./commands/token.js')).tokenCommand,
  seed: async () => (await import('./commands/seed.js')).seedCommand,
  reindex: async () => (await import('./commands/reindex.js')).reindexCommand,
  'search-parked': async () => (await import('./commands/search-parked.js')).searchParkedCommand,
  'verify-audit': async () => (await import('./commands/audit.js')).verifyAuditCommand,
  'audit-key': async () => (await import('./commands/audit.js')).auditKeyCommand,
  'audit-checkpoint': async () => (await import('./commands/audit.js')).auditCheckpointCommand,
  backup: async () => (await import('./commands/backup.js')).backupCommand,
  restore: async () => (await import('./commands/restore.js')).restoreCommand,
  'keys init': async () => (await import('./commands/keys.js')).keysInit,
  'keys rotate-signing': async () => (await import('./commands/keys.js')).keysRotateSigning,
};

async function help(): Promise<string> {
  const all = await Promise.all(Object.values(commands).map((load) => load()));
  const width = Math.max(...all.map((c) => c.name.length));
  return [
    'usage: npm run cli -- <command> [options]   (--help on each command)',
    '',
    ...all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function runCli(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const out = (l: string) => process.stdout.write(`${l}\n`);
  const err = (l: string) => process.stderr.write(`${l}\n`);
  const name = Object.keys(commands)
    .filter((n) => n.split(' ').every((word, i) => argv[i] === word))
    .sort((a, b) => b.length - a.length)[0];
  if (!name) {
    const askedForHelp = argv.length === 0 || ['--help', '-h', 'help'].includes(argv[0]!);
    if (!askedForHelp) err(`unknown command: ${argv.join(' ')}\n`);
    (askedForHelp ? out : err)(await help());
    return askedForHelp ? 0 : 2;
  }
  const cmd = await commands[name]!();
  const args = argv.slice(name.split(' ').length);
  if (args.includes('--help') || args.includes('-h')) {
    out(`npm run cli -- ${cmd.usage}\n\n${cmd.summary}`);
    return 0;
  }
  let db: Promise<Db> | undefined;
  try {
    const config = loadConfig(env);
    const ctx: CliContext = {
      config,
      db: () => (db ??= openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, applicationName: 'rpl-cli' })),
      out,
      err,
      isTTY: Boolean(process.stderr.isTTY),
      now: () => new Date(),
    };
    return await cmd.run(args, ctx);
  } catch (e) {
    if (e instanceof CliError || e instanceof ConfigError || e instanceof KeyFileError) {
      err(`error: ${e.message}`);
      return e instanceof CliError ? e.exitCode : e instanceof ConfigError ? 2 : 1;
    }
    throw e;
  } finally {
    await db?.then((d) => d.close()).catch(() => undefined);
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
