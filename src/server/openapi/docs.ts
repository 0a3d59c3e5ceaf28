import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Hono } from 'hono';

// Swagger UI from the installed package, served by this service: no CDN, so the page's CSP can allow
// only 'self'. Its start-up code is a file (docs-init.js) rather than an inline script for the same reason.
const dist = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** React sets styles through the CSSOM (allowed); the bundled CSS embeds its icons as data: URLs. */
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Response-plan lookup API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"></main>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/docs-init.js"></script>
</body>
</html>`;

// validatorUrl null: Swagger UI would otherwise send the document to an outside validator for a badge.
const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', validatorUrl: null, deepLinking: true, tryItOutEnabled: false });\n`;

const assets: Record<string, { file: string; type: string }> = {
  'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
};
const cache = new Map<string, string>();
const read = (file: string) => {
  let body = cache.get(file);
  if (body === undefined) cache.set(file, (body = fs.readFileSync(path.join(dist, file), 'utf8')));
  return body;
};

/** GET /docs: the interactive reference for /openapi.json, with its own CSP (scripts from here only). */
export const docsRoutes = () =>
  new Hono()
    .get('/', (c) => c.html(html, 200, { 'Content-Security-Policy': DOCS_CSP }))
    .get('/docs-init.js', (c) => c.body(init, 200, { 'content-type': 'text/javascript; charset=utf-8' }))
    .get('/:asset{swagger-ui(?:-bundle\\.js|\\.css)}', (c) => {
      const asset = assets[c.req.param('asset')]!;
      return c.body(read(asset.file), 200, { 'content-type': asset.type });
    });
