import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { PrefixRouter } from '../../src/server/router.js';
import { testApp, who } from '../helpers.js';

describe('PrefixRouter', () => {
  it('runs the same handlers in the same order as one router, middleware on every part included', async () => {
    const build = (router?: PrefixRouter<never>) => {
      const trace: string[] = [];
      const app = new Hono(router ? { router } : {})
        .use(async (c, next) => {
          trace.push('all');
          await next();
        })
        .use('/manage/*', async (c, next) => {
          trace.push('manage-mw');
          await next();
        })
        .get('/manage/plans/new', (c) => c.text('new'))
        .get('/manage/plans/:id', (c) => c.text(`plan ${c.req.param('id')}`))
        .get('/api/v1/plans/:id', (c) => c.text(`api ${c.req.param('id')}`))
        .get('/', (c) => c.text('home'))
        .get('*', (c) => c.text('any'));
      return { app, trace };
    };
    const one = build();
    const split = build(new PrefixRouter());
    for (const path of ['/manage/plans/new', '/manage/plans/AbC', '/api/v1/plans/x1', '/', '/nowhere/at/all', '/manage', '/api']) {
      const [a, b] = [await one.app.request(path), await split.app.request(path)];
      expect([b.status, await b.text()], path).toEqual([a.status, await a.text()]);
    }
    expect(split.trace).toEqual(one.trace);
  });

  it("gives the responders' API the fast router although the consoles need the fallback", async () => {
    const t = await testApp();
    expect((await t.call(who.officer, 'GET', '/api/v1/search?q=nobody')).status).toBe(200);
    expect((await t.app.request('/manage')).status).toBeLessThan(500);
    const routers = (t.app.router as PrefixRouter<unknown>).activeRouters;
    expect(routers.api).toBe('SmartRouter + RegExpRouter');
    expect(routers.manage).toBe('SmartRouter + TrieRouter');
  });
});
