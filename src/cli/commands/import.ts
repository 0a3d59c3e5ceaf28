import fs from 'node:fs';
import { validateImportFile } from '../../plans/versions/import-check.js';
import { importFile, type ImportStop, type ImportSummary } from '../../plans/versions/importer.js';
import { CliError, parseCommandArgs, usageError, type Command } from '../command.js';
import { progressBar } from '../progress.js';

const SHOW_AT_MOST = 1000;

const counts = (s: ImportSummary) =>
  `${s.created} new, ${s.updated} updated, ${s.unchanged} unchanged` +
  (s['skipped-withdrawn'] ? `, ${s['skipped-withdrawn']} skipped because the plan was withdrawn` : '');

/** A database failure midway: what is in, what is not, and that running it again is safe. */
function stoppedMessage(stop: ImportStop, s: ImportSummary): string {
  const where = stop.line === undefined ? '' : ` at line ${stop.line}${stop.externalRef ? ` ("${stop.externalRef}")` : ''}`;
  const before = stop.firstLineNotImported === undefined ? '' : ` before line ${stop.firstLineNotImported}`;
  return (
    `import stopped${where}: ${stop.message}\n` +
    `committed: the ${s.lines} records${before} (${counts(s)}); nothing from there on was written. ` +
    'Running the same import again finishes it: records already in are unchanged no-ops.'
  );
}

export const importCommand: Command = {
  name: 'import',
  summary: 'import published plans from NDJSON: every bad line reported by number and field; nothing imported if any is bad unless --skip-invalid',
  usage: 'import FILE.ndjson [--skip-invalid] [--by NAME]',
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(this, args, {
      'skip-invalid': { type: 'boolean', default: false },
      by: { type: 'string', default: `import:${process.env.USER ?? 'cli'}` },
    });
    if (positionals.length !== 1) throw usageError(this, 'give exactly one FILE');
    const file = positionals[0]!;
    if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`);
    const db = ctx.db();
    const started = performance.now();

    const checking = progressBar(ctx.isTTY, 'checking ');
    const check = await validateImportFile(db, file, checking.update);
    checking.stop();
    for (const i of check.issues.slice(0, SHOW_AT_MOST)) ctx.err(`line ${i.line}: ${i.field}: ${i.message}`);
    if (check.issues.length > SHOW_AT_MOST) ctx.err(`… and ${check.issues.length - SHOW_AT_MOST} more problems`);
    const bad = check.invalidLines.size;
    if (bad && !values['skip-invalid']) {
      throw new CliError(`${bad} of ${check.lines} lines are invalid; nothing was imported (fix them, or use --skip-invalid)`);
    }

    const importing = progressBar(ctx.isTTY, 'importing');
    const { summary: s, stopped } = await importFile(db, file, check, { importedBy: values.by!, now: ctx.now, onProgress: importing.update });
    importing.stop();
    if (stopped) throw new CliError(stoppedMessage(stopped, s));
    const secs = (performance.now() - started) / 1000;
    ctx.out(
      `imported ${check.valid} of ${check.lines} lines in ${secs.toFixed(1)} s (${Math.round(check.valid / Math.max(secs, 0.001))}/s): ` +
        counts(s) +
        (bad ? `, ${bad} invalid skipped` : ''),
    );
    return 0;
  },
};
