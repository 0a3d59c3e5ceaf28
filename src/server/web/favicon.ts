import type { Handler } from 'hono';

/**
 * The tab and bookmark icon: a small inline SVG (no binary asset, no external fetch), a white plan sheet
 * with a heart on the header's navy. Not personal, so unlike every page it may be cached.
 */
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#12305e"/>' +
  '<rect x="8" y="5" width="16" height="22" rx="2" fill="#fff"/>' +
  '<path d="M16 22l-5-5a3 3 0 0 1 5-4 3 3 0 0 1 5 4z" fill="#d5281b"/></svg>';

export const favicon: Handler = (c) => c.body(SVG, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' });
