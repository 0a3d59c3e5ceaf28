import fs from 'node:fs';
import { importFile, validateImportFile } from '../../plans/versions/importer.js';
import { CliError, parseCommandArgs, usageError, type Command } from '../command.js';
import { progressBar } from '../progress.js';

const SHOW_AT_MOST = 1000;

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
    const s = await importFile(db, file, {
      importedBy: values.by!,
      now: ctx.now,
      skip: check.invalidLines,
      total: check.valid,
      onProgress: importing.update,
    });
    importing.stop();
    const secs = (performance.now() - started) / 1000;
    ctx.out(
      `imported ${check.valid} of ${check.lines} lines in ${secs.toFixed(1)} s (${Math.round(check.valid / Math.max(secs, 0.001))}/s): ` +
        `${s.created} new, ${s.updated} updated, ${s.unchanged} unchanged` +
        (s['skipped-withdrawn'] ? `, ${s['skipped-withdrawn']} skipped because the plan was withdrawn` : '') +
        (bad ? `, ${bad} invalid skipped` : ''),
    );
    return 0;
  },
};
