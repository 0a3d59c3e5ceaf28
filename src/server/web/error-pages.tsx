import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { PageProblemPage } from '../../ui/pages/errors.js';
import type { AppError, HtmlErrorPage } from '../errors.js';
import { pageHeaders } from './shared.js';

/** 404s and failures outside a page's own handling, for browsers: an HTML page with the same status. */
export const browserErrorPage: HtmlErrorPage = async (c: Context, err: AppError) => {
  const actor = c.get('actor') as { sub: string; org: string } | undefined;
  const orgName = c.get('orgName') as string | undefined;
  const who = actor ? { sub: actor.sub, org: orgName ?? actor.org } : undefined;
  const notFound = err.code === 'route_not_found' || err.code === 'not_found';
  const body = await (<PageProblemPage who={who} notFound={notFound} />);
  return c.html(`<!doctype html>${body}`, err.status as ContentfulStatusCode, pageHeaders);
};
