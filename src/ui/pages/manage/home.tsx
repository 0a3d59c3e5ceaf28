import type { HomeFilter, HomeItem } from '../../../plans/versions/queues.js';
import { homeFilters } from '../../../plans/versions/queues.js';
import { ConsolePage, day, stateLabel, when, type Who } from './common.js';

const filterLabel: Record<HomeFilter, string> = {
  all: 'All',
  draft: 'Drafts',
  'in-review': 'In review',
  returned: 'Returned with comments',
  published: 'Published',
  due: 'Review due within 30 days',
  overdue: 'Review overdue',
  withdrawn: 'Withdrawn',
};

const actionLabel: Record<string, string> = {
  created: 'started',
  edited: 'edited',
  submitted: 'sent for review',
  approved: 'approved',
  rejected: 'returned',
  withdrawn: 'withdrew',
  imported: 'imported',
  superseded: 'superseded',
};

type Props = {
  who: Who;
  q: string;
  filter: HomeFilter;
  items: HomeItem[];
  matching: number;
  counts: Record<HomeFilter, number>;
  pageSize: number;
  error?: string;
  notice?: string;
};

export function ManageHomePage(p: Props) {
  const link = (f: HomeFilter) => `/manage?filter=${f}${p.q ? `&q=${encodeURIComponent(p.q)}` : ''}`;
  return (
    <ConsolePage title="Your trust's plans" who={p.who}>
      <h1>Your trust's plans</h1>
      {p.notice ? (
        <p class="notice" role="status">
          {p.notice}
        </p>
      ) : null}
      {p.error ? (
        <div class="error-summary" role="alert">
          <h2>There is a problem</h2>
          <p>
            <a href="#q">{p.error}</a>
          </p>
        </div>
      ) : null}
      <form method="get" action="/manage" role="search">
        <input type="hidden" name="filter" value={p.filter} />
        <label for="q">Name or reference</label>
        <div class="actions">
          <input type="search" id="q" name="q" value={p.q} aria-invalid={p.error ? true : undefined} style="max-width:30rem" />
          <button type="submit">Search</button>
        </div>
      </form>
      <nav aria-label="Filter plans">
        <ul class="filters">
          {homeFilters.map((f) => (
            <li>
              <a href={link(f)} aria-current={f === p.filter ? 'page' : undefined}>
                {filterLabel[f]} ({p.counts[f]})
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <p role="status">
        {p.matching === 0
          ? 'No plans match.'
          : p.matching > p.items.length
            ? `Showing the ${p.items.length} most recently changed of ${p.matching} plans. Search by name or reference to narrow it.`
            : `${p.matching} ${p.matching === 1 ? 'plan' : 'plans'}.`}
      </p>
      {p.items.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">State</th>
              <th scope="col">Review by</th>
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {p.items.map((i) => (
              <tr>
                <td>
                  <a href={`/manage/plans/${i.planId}`}>{i.name}</a>
                  <br />
                  <span class="meta">{i.externalRef}</span>
                </td>
                <td>
                  <span class="tag">{stateLabel[i.state]}</span>
                  {i.returnComment ? <p class="meta">Comment: {i.returnComment}</p> : null}
                </td>
                <td>
                  {day(i.reviewBy)}
                  {i.overdue ? <p class="field-error">Overdue</p> : i.dueSoon ? <p class="meta">Due soon</p> : null}
                </td>
                <td>
                  {i.lastTouched
                    ? `${i.lastTouched.by} ${actionLabel[i.lastTouched.action] ?? i.lastTouched.action} it, ${when(i.lastTouched.at)}`
                    : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </ConsolePage>
  );
}
