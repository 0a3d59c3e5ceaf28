import type { Child } from 'hono/jsx';
import { Layout } from '../../layout.js';
import { readableDate, readableDateTime } from '../../dates.js';

export type Who = { sub: string; org: string; roles: readonly string[] };

export const stateLabel: Record<string, string> = {
  draft: 'Draft',
  'in-review': 'In review',
  returned: 'Returned with comments',
  published: 'Published',
  withdrawn: 'Withdrawn',
  superseded: 'Superseded',
};

/** Console times as responders see dates (ui/dates.ts): "1 Dec 2026, 21:28 GMT". */
export const when = (iso: string | null | undefined) => (iso ? readableDateTime(iso) : '');
/** A date alone (review-by, agreed on): "28 Mar 2027". */
export const day = (iso: string | null | undefined) => (iso ? readableDate(iso) : '');

/** Every console page: the wide layout and the console's own links. */
export function ConsolePage({ title, who, children }: { title: string; who: Who; children?: Child }) {
  const approver = who.roles.includes('approver');
  return (
    <Layout title={title} signedInAs={who} wide>
      <nav aria-label="Console">
        <p>
          <a href="/manage">Plans</a>
          {who.roles.includes('author') ? (
            <>
              {' · '}
              <a href="/manage/plans/new">Start a new plan</a>
            </>
          ) : null}
          {approver ? (
            <>
              {' · '}
              <a href="/manage/reviews">Reviews waiting</a>
            </>
          ) : null}
          {' · '}
          <a href="/">Find a person</a>
        </p>
      </nav>
      {children}
    </Layout>
  );
}

export function MessagePage({ who, title, children, status }: { who: Who; title: string; children?: Child; status?: string }) {
  return (
    <ConsolePage title={title} who={who}>
      <h1>{title}</h1>
      {status ? <p class="notice">{status}</p> : null}
      {children}
    </ConsolePage>
  );
}
