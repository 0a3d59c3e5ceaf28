import { silentLogger } from '../../logger.js';
import { createFallbackStore } from '../../search/fallback.js';
import { createIndexSync } from '../../search/sync.js';
import { parseCommandArgs, type Command } from '../command.js';

/**
 * Plans whose search document could not be indexed (see search/sync.ts): listed by change-log position and plan
 * id with the reason (a field name or Meilisearch's error code, never the content), for an operator to
 * find and fix; `--retry` hands them back to the running service's worker after a fix.
 */
export const searchParkedCommand: Command = {
  name: 'search-parked',
  summary: 'list plans whose search document was set aside (not indexed) and why; --retry to try them again',
  usage: 'search-parked [--retry]',
  async run(args, ctx) {
    const { values } = parseCommandArgs(this, args, { retry: { type: 'boolean' } });
    const db = await ctx.db();
    const sync = createIndexSync({ db, fallback: createFallbackStore(db), logger: silentLogger() });
    const rows = await sync.parkedRows();
    for (const r of rows) ctx.out([r.id, r.planId, r.parkedAt, r.reason].join('\t'));
    if (values.retry) ctx.out(`${await sync.retryParked()} parked row(s) handed back to the index worker`);
    else ctx.out(rows.length ? `${rows.length} parked; after fixing, run: search-parked --retry (or reindex)` : 'nothing parked');
    return 0;
  },
};
