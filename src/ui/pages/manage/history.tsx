import type { WordDiff } from '../../../plans/versions/word-diff.js';
import { ErrorSummary, type FormError } from '../../components/plan-form.js';
import { SideBySide } from '../../components/word-diff.js';
import { ConsolePage, stateLabel, when, type Who } from './common.js';
import { changeLabel } from './labels.js';

type Version = {
  version: number;
  status: string;
  changeSummary: string | null;
  authors: string[];
  createdAt: string;
  approvedBy: string | null;
  publishedAt: string | null;
  withdrawnBy: string | null;
  withdrawReason: string | null;
};
type Event = { version: number | null; action: string; actor: string; at: string; comment: string | null };
type Change = { section: string; change: string; words: WordDiff };

export function HistoryPage(p: {
  who: Who;
  planId: string;
  externalRef: string;
  versions: Version[];
  events: Event[];
  diff?: { from: number; to: number; changes: Change[] };
}) {
  const base = `/manage/plans/${p.planId}`;
  return (
    <ConsolePage title={`History: ${p.externalRef}`} who={p.who}>
      <p class="meta">
        <a href={base}>Back to the plan</a>
      </p>
      <h1>History of {p.externalRef}</h1>
      <table>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">State</th>
            <th scope="col">Written by</th>
            <th scope="col">Approved</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {p.versions.map((v) => (
            <tr>
              <td>{v.version}</td>
              <td>{stateLabel[v.status] ?? v.status}</td>
              <td>
                {v.authors.join(', ')}, {when(v.createdAt)}
              </td>
              <td>{v.approvedBy ? `${v.approvedBy}, ${when(v.publishedAt)}` : ''}</td>
              <td>{v.withdrawReason ? `Withdrawn by ${v.withdrawnBy}: ${v.withdrawReason}` : (v.changeSummary ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Compare two versions</h2>
      <form method="get" action={`${base}/history`} class="actions">
        {(['from', 'to'] as const).map((k) => (
          <div>
            <label for={k}>{k === 'from' ? 'From version' : 'To version'}</label>
            <select id={k} name={k}>
              {p.versions.map((v) => (
                <option
                  value={String(v.version)}
                  selected={
                    p.diff ? p.diff[k] === v.version : v.version === (k === 'to' ? p.versions.length : Math.max(1, p.versions.length - 1))
                  }
                >
                  {v.version}
                </option>
              ))}
            </select>
          </div>
        ))}
        <button type="submit">Compare</button>
      </form>
      {p.diff ? (
        <section aria-label="Changes">
          <h3>
            Version {p.diff.from} to version {p.diff.to}
          </h3>
          {p.diff.changes.length ? (
            p.diff.changes.map((c) => (
              <section aria-label={changeLabel(c.section)}>
                <h4>
                  {changeLabel(c.section)}: {c.change} ({c.words.wordsAdded} words added, {c.words.wordsRemoved} removed)
                </h4>
                <SideBySide parts={c.words.parts} before={`Version ${p.diff!.from}`} after={`Version ${p.diff!.to}`} level="h5" />
              </section>
            ))
          ) : (
            <p>No differences.</p>
          )}
        </section>
      ) : null}
      <h2>Every step</h2>
      <ul>
        {p.events.map((e) => (
          <li>
            {when(e.at)}: {e.actor} {e.action} version {e.version}
            {e.comment ? `: “${e.comment}”` : ''}
          </li>
        ))}
      </ul>
    </ConsolePage>
  );
}

export function WithdrawPage(p: {
  who: Who;
  planId: string;
  name: string;
  externalRef: string;
  version: number;
  contact: string | null;
  owner: string;
  reason: string;
  errors: FormError[];
}) {
  return (
    <ConsolePage title={`${p.errors.length ? 'Error: ' : ''}Withdraw ${p.externalRef}`} who={p.who}>
      <ErrorSummary errors={p.errors} />
      <h1>Withdraw the plan for {p.name}?</h1>
      <p>Version {p.version} is what responders see now. If you withdraw it:</p>
      <ul>
        <li>responders who open it, by search, link or card, see only that it was withdrawn and who to contact: {p.contact ?? p.owner};</li>
        <li>none of the plan is shown to anyone outside your trust;</li>
        <li>the person no longer appears in responders' searches.</li>
      </ul>
      <form method="post" action={`/manage/plans/${p.planId}/withdraw`} novalidate>
        <input type="hidden" name="version" value={String(p.version)} />
        <label for="reason">Why are you withdrawing it?</label>
        {p.errors.length ? (
          <p id="reason.error" class="field-error">
            {p.errors[0]!.message}
          </p>
        ) : null}
        <textarea
          id="reason"
          name="reason"
          rows={3}
          aria-describedby={p.errors.length ? 'reason.error' : undefined}
          aria-invalid={p.errors.length ? true : undefined}
        >
          {p.reason}
        </textarea>
        <div class="actions">
          <button type="submit">Withdraw the plan</button>
          <a href={`/manage/plans/${p.planId}`}>Cancel</a>
        </div>
      </form>
    </ConsolePage>
  );
}
