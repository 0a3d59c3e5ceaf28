import fs from 'node:fs';
import path from 'node:path';
import { recordGovernance } from '../../plans/governance/log.js';
import { validateImportFile } from '../../plans/versions/import-check.js';
import { importFile, type ImportStop, type ImportSummary } from '../../plans/versions/importer.js';
import { CliError, parseCommandArgs, usageError, type Command } from '../command.js';
import { progressBar } from '../progress.js';
import { withGovernanceLog } from '../governance.js';

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
  summary:
    'import published plans from NDJSON: every bad line reported by number and field; nothing imported if any is bad unless --skip-invalid',
  usage: 'import FILE.ndjson [--skip-invalid] [--by NAME]',
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(this, args, {
      'skip-invalid': { type: 'boolean', default: false },
      by: { type: 'string', default: `import:${process.env.USER ?? 'cli'}` },
    });
    if (positionals.length !== 1) throw usageError(this, 'give exactly one FILE');
    const file = positionals[0]!;
    if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`);
    const db = await ctx.db();
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

    // A bulk change to what responders read, so a governance event like any change to the register: who,
    // which file (its name only), how many lines, for which organisations; recorded before anything is
    // written (no log, no import), and the outcome's counts after. Never a line's content.
    const { summary: s, stopped } = await withGovernanceLog(ctx, async (deps, op) => {
      const change = { op: 'plans.import', target: path.basename(file), orgs: [...check.owners].sort() };
      try {
        await recordGovernance(deps, op, { ...change, changes: { lines: check.lines, valid: check.valid, invalid: bad } }, 'allowed');
      } catch {
        throw new CliError('the access log could not record this import, so nothing was imported; try again');
      }
      const importing = progressBar(ctx.isTTY, 'importing');
      const result = await importFile(db, file, check, { importedBy: values.by!, now: ctx.now, onProgress: importing.update });
      importing.stop();
      const { summary, stopped } = result;
      const counts = {
        created: summary.created,
        updated: summary.updated,
        unchanged: summary.unchanged,
        skippedWithdrawn: summary['skipped-withdrawn'],
        invalidSkipped: bad,
      };
      const outcome = stopped ? { ...counts, stoppedAtLine: stopped.line ?? null } : counts;
      await recordGovernance(
        deps,
        op,
        { ...change, op: 'plans.import-result', changes: outcome },
        stopped ? 'denied' : 'allowed',
        stopped ? 'import stopped by a database failure' : undefined,
      ).catch(() => undefined);
      return result;
    });
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
