import type { MiddlewareHandler } from 'hono';
import { AppError } from './errors.js';

const decodes = (s: string) => {
  try {
    decodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
};

const NOT_UTF8 = 'not UTF-8 text (a %-escape does not decode)';

/**
 * An address whose %-escapes are not UTF-8 text (`?q=%ED%A0%80`, a lone surrogate's bytes, or a stray
 * `%`) is refused, naming the parameter. Left alone, the router passes such a value on still escaped,
 * so a search would run for "%ED%A0%80" and a page would show it as if it had been typed.
 */
export function refuseUndecodableUrl(url: string, part: 'path' | 'query' | 'both') {
  if (!url.includes('%')) return;
  const at = url.indexOf('?');
  if (part !== 'query' && !(at < 0 ? url : url.slice(0, at)).split('/').every(decodes)) {
    throw new AppError('invalid', `the address is ${NOT_UTF8}`, { errors: [{ path: '(path)', message: NOT_UTF8 }] });
  }
  if (part === 'path' || at < 0) return;
  for (const pair of url
    .slice(at + 1)
    .split('#')[0]!
    .split('&')) {
    const eq = pair.indexOf('=');
    const name = (eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' ');
    const value = eq < 0 ? '' : pair.slice(eq + 1).replace(/\+/g, ' ');
    if (decodes(name) && decodes(value)) continue;
    const field = decodes(name) ? decodeURIComponent(name) : '(query)';
    throw new AppError('invalid', `invalid query: ${field}: ${NOT_UTF8}`, { errors: [{ path: field, message: NOT_UTF8 }] });
  }
}

/** For pages, which read the query themselves: the whole address, before any handler. */
export const wellFormedUrl: MiddlewareHandler = async (c, next) => {
  refuseUndecodableUrl(c.req.url, 'both');
  await next();
};
