import { it } from 'vitest';
import { testApp, who } from './helpers.js';
it('x', async () => {
  const t = await testApp();
  for (const [m, p] of [['DELETE', '/api/v1/no-such-thing'], ['DELETE', '/api/v1/plans'], ['PUT', '/api/v1/plans'], ['GET', '/api/v1/plans']] as const) {
    const started = Date.now();
    const r = await t.call(who.officer, m, p, {});
    process.stderr.write(`RESULT ${m} ${p} ${r.status} ${Date.now() - started}ms\n`);
  }
}, 60000);
