// `npm test` runs this before vitest: the suite drives real parts that npm cannot install (Debian's
// Chromium, poppler's PDF tools, a PostgreSQL server), and a test without its part fails rather than skips.
// So: when one is missing, install it with apt-get if this user may (root, or passwordless sudo), or say
// exactly what to install and stop. TEST_INSTALL=0 never installs: it only says what is missing.
// With everything present this is a handful of file checks, no apt-get and no sudo.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM } from '../test/browser/launch.js';

/** Something the suite needs, the Debian package that brings it, and how to tell it is there. */
export type Requirement = { what: string; pkg: string; present: () => boolean };

const isExecutable = (file: string) => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/** `name` found on PATH as an executable file. */
export function onPath(name: string, searchPath = process.env.PATH ?? ''): boolean {
  return searchPath.split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, name)));
}

export const POSTGRES_MIN = 15;

/**
 * The bin directory of the newest PostgreSQL server at or above POSTGRES_MIN, as Debian lays it out
 * (/usr/lib/postgresql/<major>/bin with initdb and pg_ctl; none of it is on PATH), or undefined.
 */
export function postgresBinDir(root = '/usr/lib/postgresql', min = POSTGRES_MIN): string | undefined {
  let majors: number[];
  try {
    majors = fs
      .readdirSync(root)
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return undefined;
  }
  for (const major of majors.filter((m) => m >= min).sort((a, b) => b - a)) {
    const bin = path.join(root, String(major), 'bin');
    if (isExecutable(path.join(bin, 'initdb')) && isExecutable(path.join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

export const requirements: Requirement[] = [
  { what: `Chromium (${CHROMIUM}) for the browser tests`, pkg: 'chromium', present: () => isExecutable(CHROMIUM) },
  {
    what: 'poppler (pdftoppm, pdftotext) for the card tests',
    pkg: 'poppler-utils',
    present: () => onPath('pdftoppm') && onPath('pdftotext'),
  },
  {
    what: `a PostgreSQL ${POSTGRES_MIN}+ server (initdb, pg_ctl) for the PostgreSQL suites`,
    pkg: 'postgresql',
    present: () => postgresBinDir() !== undefined,
  },
];

/** The command prefix that runs apt-get as root ([] when already root), or undefined when this user may not. */
export function aptAccess(): string[] | undefined {
  if (!onPath('apt-get')) return undefined;
  if (process.getuid?.() === 0) return [];
  if (onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return ['sudo'];
  return undefined;
}

const runCommand = (argv: string[]) => spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] }).status ?? 1;

export type SetupOptions = {
  requirements?: Requirement[];
  env?: NodeJS.ProcessEnv;
  /** Decides who may run apt-get (see aptAccess); asked only when something is missing. */
  aptAccess?: () => string[] | undefined;
  /** Runs one command, returning its exit status. */
  run?: (argv: string[]) => number;
  log?: (line: string) => void;
};

/** What to type to install `pkgs`, as this user. */
export const installInstructions = (pkgs: string[], asRoot: boolean) => {
  const sudo = asRoot ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${pkgs.join(' ')}`;
};

/** Checks, installs what is missing when allowed, and checks again. ok: false carries what to tell the user. */
export function ensureTestTools(opts: SetupOptions = {}): { ok: true; installed: string[] } | { ok: false; message: string } {
  const reqs = opts.requirements ?? requirements;
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => console.error(line));
  const missing = reqs.filter((r) => !r.present());
  if (missing.length === 0) return { ok: true, installed: [] };

  const pkgs = [...new Set(missing.map((r) => r.pkg))];
  const list = missing.map((r) => `  - ${r.what}: Debian package ${r.pkg}`).join('\n');
  const asRoot = process.getuid?.() === 0;
  const stop = (why: string) => ({
    ok: false as const,
    message:
      `npm test needs what is missing here:\n${list}\n${why}\n` +
      `Install it (Debian/Ubuntu):\n  ${installInstructions(pkgs, asRoot)}\nthen run npm test again.`,
  });
  if (env.TEST_INSTALL === '0') return stop('TEST_INSTALL=0, so nothing is installed.');
  const prefix = (opts.aptAccess ?? aptAccess)();
  if (!prefix) return stop('This user cannot run apt-get (not root, no passwordless sudo), so nothing is installed.');

  const run = opts.run ?? runCommand;
  log(`test set-up: installing ${pkgs.join(' ')} with apt-get (TEST_INSTALL=0 stops instead)`);
  const apt = [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get'];
  if (run([...apt, 'update', '-qq']) !== 0) return stop('apt-get update failed (above).');
  if (run([...apt, 'install', '-y', '-qq', ...pkgs]) !== 0) return stop('apt-get install failed (above).');

  const still = reqs.filter((r) => !r.present());
  if (still.length) {
    return {
      ok: false,
      message:
        `apt-get installed ${pkgs.join(' ')}, but these are still missing:\n` +
        still.map((r) => `  - ${r.what} (package ${r.pkg})`).join('\n') +
        (still.some((r) => r.pkg === 'postgresql')
          ? `\nThis system's postgresql may be older than ${POSTGRES_MIN}: install postgresql-${POSTGRES_MIN} or later.`
          : ''),
    };
  }
  return { ok: true, installed: pkgs };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const result = ensureTestTools();
  if (!result.ok) {
    console.error(result.message);
    process.exit(1);
  }
  if (result.installed.length) console.error(`test set-up: installed ${result.installed.join(' ')}`);
}
