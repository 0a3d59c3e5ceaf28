// Run by pg-log.test.ts: records events through the PostgreSQL access log as fast as it can and prints
// each purpose once its record() resolved (durable), until it is killed.
import { openStore } from '../../../db/index.js';
import { createAccessLog } from '../../../src/plans/access-log/log.js';

const db = await openStore({ dataDir: process.argv[3]!, databaseUrl: process.argv[2]! });
const log = createAccessLog(db, { clock: () => new Date() });
let n = 0;
const worker = async (w: number) => {
  for (;;) {
    const purpose = `KILL-${w}-${++n}`;
    await log.record({
      actor: { sub: 'pc.kill', org: 'capital-police', roles: ['responder'] },
      action: 'view',
      channel: 'api',
      purpose,
      planId: `plan-${n % 7}`,
      outcome: 'allowed',
    });
    process.stdout.write(`${purpose}\n`);
  }
};
await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(worker));
