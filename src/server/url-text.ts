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

/**
 * An address whose %-escapes are not UTF-8 text (`?q=%ED%A0%80`, a lone surrogate's bytes, or a stray
 * `%`) is refused, naming the parameter. Left alone, the router passes such a value on still escaped,
 * so a search would run for "%ED%A0%80" and a page would show it as if it had been typed.
 */
export const wellFormedUrl: MiddlewareHandler = async (c, next) => {
  const url = c.req.url;
  if (!url.includes('%')) return next();
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  if (!path.split('/').every(decodes)) throw new AppError('invalid', 'the address is not UTF-8 text (a %-escape does not decode)', { errors: [{ path: '(path)', message: 'not UTF-8 text' }] });
  if (at < 0) return next();
  for (const pair of url.slice(at + 1).split('#')[0]!.split('&')) {
    const eq = pair.indexOf('=');
    const name = (eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' ');
    const value = eq < 0 ? '' : pair.slice(eq + 1).replace(/\+/g, ' ');
    if (decodes(name) && decodes(value)) continue;
    const field = decodes(name) ? decodeURIComponent(name) : '(query)';
    throw new AppError('invalid', `invalid query: ${field}: not UTF-8 text (a %-escape does not decode)`, {
      errors: [{ path: field, message: 'not UTF-8 text (a %-escape does not decode)' }],
    });
  }
  return next();
};
