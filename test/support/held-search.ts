import type { SearchConcurrency } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createAccessLog } from '../../src/plans/access-log/log.js';
import { createApp } from '../../src/server/app.js';
import { loadDevIssuer } from '../../src/server/auth/dev-issuer.js';
import type { Metrics } from '../../src/server/metrics/metrics.js';
import type { SearchService } from '../../src/search/service.js';
import { onCleanup } from '../cleanup.js';
import { keysDirIn } from '../helpers.js';
import type { SearchTestApp } from '../search/helpers.js';

/**
 * A real search service whose next search can be held at its start (then run as usual): the only way for a
 * test to know what is in flight when it asks a node to shed (server/guards/search-admission.ts).
 */
export function holdable(service: SearchService) {
  let hold: { entered: () => void; until: Promise<void> } | undefined;
  const held: SearchService = {
    ...service,
    async search(...args) {
      const h = hold;
      hold = undefined;
      if (h) {
        h.entered();
        await h.until;
      }
      return service.search(...args);
    },
  };
  return {
    held,
    /** The next search stops at its start: `entered` once it has (holding its slot), until `release()`. */
    holdNext() {
      let release!: () => void;
      let entered!: () => void;
      const until = new Promise<void>((r) => (release = r));
      const reached = new Promise<void>((r) => (entered = r));
      hold = { entered, until };
      return { entered: reached, release };
    },
  };
}

/**
 * An app on a search test's store whose searches can be held, with the node's admission limit given: its
 * own access log (closed after the test or file) and the dev issuer of the test's keys.
 */
export async function heldSearchApp(
  t: SearchTestApp,
  opts: { searchConcurrency: SearchConcurrency | 'off'; metrics?: Metrics; searchLimits?: { perMinute: number; perHour: number } },
) {
  const devIssuer = await loadDevIssuer(keysDirIn(t.dir));
  const accessLog = createAccessLog(t.db, { clock: t.clock });
  onCleanup(() => accessLog.close());
  const hold = holdable(t.service);
  const app = createApp({
    db: t.db,
    clock: t.clock,
    logger: silentLogger(),
    devIssuer,
    accessLog,
    publicBaseUrl: 'http://127.0.0.1:8080',
    search: hold.held,
    ...opts,
  });
  return { app, devIssuer, accessLog, hold };
}
