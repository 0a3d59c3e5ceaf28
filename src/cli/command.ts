import type { Config } from '../config.js';
import type { Db } from '../../db/index.js';

/** What every command gets: parsed configuration and the store (DATABASE_URL or SQLite), opened on first use. */
export type CliContext = {
  config: Config;
  db: () => Promise<Db>;
  out: (line: string) => void;
  err: (line: string) => void;
  isTTY: boolean;
  now: () => Date;
};

export type Command = {
  /** As typed: "org add", "import". */
  name: string;
  summary: string;
  usage: string;
  run(args: string[], ctx: CliContext): Promise<number>;
};

/** A user mistake with a clear message; exits 2 for usage, 1 otherwise. No stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const usageError = (cmd: Command, problem: string) => new CliError(`${problem}\nusage: npm run cli -- ${cmd.usage}`, 2);

import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { illFormedIssue } from '../plans/core/text.js';

/** parseArgs with the command's usage on any mistake. */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(cmd: Command, args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageError(cmd, (e as Error).message);
  }
}

/** Validates assembled options with the same zod schema the API uses, naming each bad field. */
export function validOptions<S extends z.ZodType>(cmd: Command, schema: S, value: unknown): z.infer<S> {
  const illFormed = illFormedIssue(value);
  const parsed = illFormed ? { success: false as const, error: { issues: [illFormed] } } : schema.safeParse(value);
  if (!parsed.success) {
    throw usageError(cmd, parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}
