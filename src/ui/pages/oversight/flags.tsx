import type { ReviewedFlag } from '../../../plans/access-log/flag-reviews.js';
import type { PresentedEvent } from '../../../plans/access-log/queries.js';
import type { PersonRef } from '../../../plans/access-log/console.js';
import { Layout } from '../../layout.js';
import { Banner, ErrorSummary, FieldMessage, TextArea, dateTime, type FieldError, type Who } from '../../components/forms.js';
import { AuditNav } from './common.js';

export const flagKindWords: Record<string, string> = {
  'emergency-access': 'Emergency access',
  'many-plans': 'Many plans in a short time',
  'denied-no-agreement': 'Refused: no data-sharing agreement',
  'purpose-reused': 'Same reason for many plans',
  'no-incident-reference': 'Reason without an incident reference',
  'search-no-open': 'Search that opened nothing',
  'search-rate-limited': 'Searching too fast',
  'many-references': 'Many plans looked up by reference',
  'reference-rate-limited': 'Looking up references too fast',
};

const outcomeWords: Record<string, string> = { appropriate: 'Appropriate', 'follow-up': 'Needs follow-up', reported: 'Reported' };

const who = (f: ReviewedFlag) => `${f.actor.sub ?? 'not signed in'} (${f.actor.org ?? 'unknown organisation'})`;

export function FlagsPage(props: { who: Who; flags: ReviewedFlag[]; days: number; notice?: string }) {
  const open = props.flags.filter((f) => f.state === 'open');
  const closed = props.flags.filter((f) => f.state === 'closed');
  return (
    <Layout title="Unusual access to review" signedInAs={props.who} wide>
      <AuditNav />
      <h1>Unusual access to review</h1>
      <Banner text={props.notice} />
      <p>
        Patterns worth a second look over the last {props.days} days, open emergency access first. Closing a flag records your outcome and
        comment in the access log; it cannot be changed afterwards.
      </p>
      <table>
        <caption>Open ({open.length})</caption>
        <thead>
          <tr>
            <th scope="col">What</th>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Detail</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {open.map((f) => (
            <tr>
              <td>
                <span class="tag">{flagKindWords[f.kind] ?? f.kind}</span>
              </td>
              <td>{dateTime(f.at)}</td>
              <td>{who(f)}</td>
              <td>{f.detail}</td>
              <td>
                <a href={`/audit/flags/${f.id}`} id={`review-${f.id}`}>
                  Review
                  <span class="visually-hidden">
                    {' '}
                    {flagKindWords[f.kind]} at {dateTime(f.at)}
                  </span>
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!open.length ? <p>Nothing is waiting for review.</p> : null}
      {closed.length ? (
        <table>
          <caption>Closed ({closed.length})</caption>
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Closed by</th>
              <th scope="col">Outcome and comment</th>
            </tr>
          </thead>
          <tbody>
            {closed.map((f) => (
              <tr>
                <td>
                  <a href={`/audit/flags/${f.id}`}>{flagKindWords[f.kind] ?? f.kind}</a>
                </td>
                <td>{dateTime(f.at)}</td>
                <td>{who(f)}</td>
                <td>
                  {f.review!.by.sub} ({f.review!.by.org}), {dateTime(f.review!.at)}
                </td>
                <td>
                  <span class="tag">{outcomeWords[f.review!.outcome] ?? f.review!.outcome}</span> {f.review!.comment}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Layout>
  );
}

export function FlagPage(props: {
  who: Who;
  flag: ReviewedFlag;
  evidence: PresentedEvent[];
  people: Map<string, PersonRef>;
  errors: FieldError[];
  outcome?: string;
  comment?: string;
}) {
  const f = props.flag;
  const title = flagKindWords[f.kind] ?? f.kind;
  return (
    <Layout title={`${props.errors.length ? 'Error: ' : ''}Review: ${title}`} signedInAs={props.who} wide>
      <AuditNav />
      <p>
        <a href="/audit/flags">Back to unusual access</a>
      </p>
      <h1>Review: {title}</h1>
      <ErrorSummary errors={props.errors} />
      <dl>
        <dt>When</dt>
        <dd>{dateTime(f.at)}</dd>
        <dt>Who</dt>
        <dd>{who(f)}</dd>
        <dt>What happened</dt>
        <dd>{f.detail}</dd>
        <dt>People concerned</dt>
        <dd>
          {f.planIds.length
            ? f.planIds.map((id, i) => {
                const p = props.people.get(id);
                return (
                  <>
                    {i ? ', ' : ''}
                    <a href={`/audit?planId=${id}`}>{p ? `${p.name ?? 'unnamed'} (${p.externalRef})` : `plan ${id}`}</a>
                  </>
                );
              })
            : 'none'}
        </dd>
      </dl>
      <table class="evidence">
        <caption>Evidence: the events behind this flag</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Did</th>
            <th scope="col">Reason given</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {props.evidence.map((e) => (
            <tr>
              <td>{dateTime(e.at)}</td>
              <td>{e.actor ? `${e.actor.sub} (${e.actor.org})` : 'not signed in'}</td>
              <td>
                {e.action} via {e.channel}
                {e.planId ? (
                  <>
                    {' '}
                    · <a href={`/audit?planId=${e.planId}`}>{props.people.get(e.planId)?.externalRef ?? e.planId}</a>
                  </>
                ) : null}
              </td>
              <td>{e.purpose ?? 'none'}</td>
              <td>
                {e.outcome}
                {e.reason ? <p class="meta">{e.reason}</p> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {f.review ? (
        <>
          <h2>Closed</h2>
          <p>
            {f.review.by.sub} ({f.review.by.org}) closed this on {dateTime(f.review.at)} as{' '}
            <strong>{outcomeWords[f.review.outcome] ?? f.review.outcome}</strong>: {f.review.comment}
          </p>
        </>
      ) : (
        <form method="post" action={`/audit/flags/${f.id}/review`}>
          <h2>Close this flag</h2>
          <fieldset
            aria-describedby={props.errors.some((e) => e.field === 'outcome-appropriate') ? 'outcome-appropriate-error' : undefined}
          >
            <legend>What did you find?</legend>
            <FieldMessage errors={props.errors} field="outcome-appropriate" />
            {(['appropriate', 'follow-up', 'reported'] as const).map((o) => (
              <div class="choice">
                <input type="radio" id={`outcome-${o}`} name="outcome" value={o} checked={props.outcome === o} />
                <label for={`outcome-${o}`}>
                  {
                    {
                      appropriate: 'Appropriate: the access was justified',
                      'follow-up': 'Needs follow-up with the person or their organisation',
                      reported: 'Reported as a breach or incident',
                    }[o]
                  }
                </label>
              </div>
            ))}
          </fieldset>
          <TextArea
            id="comment"
            label="Comment"
            hint="What you checked and why you reached this outcome. This is kept in the access log."
            value={props.comment}
            errors={props.errors}
          />
          <button type="submit" class="inline">
            Close flag
          </button>
        </form>
      )}
    </Layout>
  );
}
