import { Hono } from 'hono';
import type { AppEnv } from '../context.js';
import { openApiDocument } from './document.js';
import { docsRoutes } from './docs.js';

/**
 * GET /openapi.json and the /docs reference, for the API mounted in `app`. The document is built once,
 * on first request (the route table does not change), and needs no sign-in: it holds no data.
 */
// biome-ignore lint/suspicious/noExplicitAny: any app, whatever its env, schema and base path
export function openApiRoutes(app: Hono<any, any, any>) {
  let json: Promise<string> | undefined;
  return new Hono<AppEnv>()
    .get('/openapi.json', async (c) => {
      json ??= openApiDocument(app).then((doc) => JSON.stringify(doc));
      return c.body(await json, 200, { 'content-type': 'application/json' });
    })
    .route('/docs', docsRoutes());
}
