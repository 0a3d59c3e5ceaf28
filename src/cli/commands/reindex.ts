import { silentLogger } from '../../logger.js';
import { startSearch } from '../../search/index.js';
import { CliError, parseCommandArgs, type Command } from '../command.js';
import { progressBar } from '../progress.js';

export const reindexCommand: Command = {
  name: 'reindex',
  summary: 'rebuild the search index (Meilisearch and the SQLite fallback) from the published plans in the database',
  usage: 'reindex',
  async run(args, ctx) {
    parseCommandArgs(this, args, {});
    const { config } = ctx;
    let search;
    try {
      search = await startSearch({
        db: await ctx.db(),
        logger: silentLogger(),
        dataDir: config.dataDir,
        meiliUrl: config.meiliUrl,
        meiliKey: config.meiliKey,
        meiliBin: config.meiliBin,
        reconcile: false,
        worker: false,
      });
    } catch (e) {
      throw new CliError(
        `could not start or reach Meilisearch (${(e as Error).message}). If the service is running with its managed ` +
          'Meilisearch, stop it first (it reconciles the index itself at start-up), or set MEILI_URL and MEILI_KEY.',
      );
    }
    const bar = progressBar(ctx.isTTY, 'reindexing');
    const started = performance.now();
    try {
      const n = await search.sync.rebuild(bar.update);
      bar.stop();
      ctx.out(`reindexed ${n.indexed} published plans in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      if (n.parked) ctx.out(`${n.parked} plan(s) could not be indexed and were parked: see search-parked`);
    } finally {
      await search.stop();
    }
    return 0;
  },
};
