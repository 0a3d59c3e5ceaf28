import type { ReviewItem } from '../../../plans/versions/queues.js';
import type { Readability } from '../../../plans/versions/readability.js';
import type { Review } from '../../../plans/versions/review.js';
import type { WordPart } from '../../../plans/versions/word-diff.js';
import { ErrorSummary, type FormError } from '../../components/plan-form.js';
import { duration, PlanLength, sectionName } from '../../components/readability.js';
import { ConsolePage, day, when, type Who } from './common.js';

const waited = (hours: number) => (hours < 24 ? `${hours} hours` : `${Math.floor(hours / 24)} days`);

export function ReviewQueuePage({ who, items }: { who: Who; items: ReviewItem[] }) {
  return (
    <ConsolePage title="Reviews waiting" who={who}>
      <h1>Reviews waiting</h1>
      <p role="status">{items.length === 0 ? 'Nothing is waiting for review.' : `${items.length} waiting, oldest first.`}</p>
      {items.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Written by</th>
              <th scope="col">Waiting</th>
              <th scope="col">Size of change</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr>
                <td>
                  <a href={`/manage/reviews/${i.planId}/${i.version}`}>{i.name}</a>
                  <br />
                  <span class="meta">
                    {i.externalRef}, version {i.version}
                  </span>
                </td>
                <td>{i.authors.join(', ')}</td>
                <td>{waited(i.waitingHours)}</td>
                <td>
                  {i.firstVersion
                    ? `New plan, ${i.change.wordsAdded} words`
                    : `${i.change.sections} ${i.change.sections === 1 ? 'section' : 'sections'}: ${i.change.wordsAdded} words added, ${i.change.wordsRemoved} removed`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </ConsolePage>
  );
}

const label = (path: string) => {
  const [area, key] = path.split('.') as [string, string | undefined];
  if (area === 'plan') return sectionName(key!);
  if (area === 'locations') return 'Places they are often found';
  return `${area === 'subject' ? 'Person' : 'Agreement'}: ${key}`;
};

function Words({ parts, show }: { parts: WordPart[]; show: 'removed' | 'added' }) {
  return (
    <pre class="words">
      {parts.map((p) =>
        p.change === undefined ? p.text : p.change !== show ? null : show === 'added' ? <ins>{p.text}</ins> : <del>{p.text}</del>,
      )}
    </pre>
  );
}

type Props = { who: Who; review: Review; before?: Readability; after: Readability; errors: FormError[]; comment: string };

/** Published version and proposal side by side, each changed section's words marked; then approve or return. */
export function ReviewPage({ who, review, before, after, errors, comment }: Props) {
  const { plan, proposal, changes } = review;
  const g = proposal.governance;
  const base = `/manage/reviews/${plan.planId}/${proposal.version}`;
  const name = `${proposal.subject.givenNames} ${proposal.subject.familyName}`;
  return (
    <ConsolePage title={`${errors.length ? 'Error: ' : ''}Review: ${name}`} who={who}>
      <ErrorSummary errors={errors} />
      <h1>Review: {name}</h1>
      <p>
        {plan.externalRef}, version {proposal.version}, written by {proposal.authors.join(', ')}
        {proposal.submittedAt ? `, sent for review ${when(proposal.submittedAt)}` : ''}.
      </p>
      {proposal.changeSummary ? <p>Their note: {proposal.changeSummary}</p> : null}
      {review.staleBase ? (
        <p class="warn">The plan was published again after this version was written. Approving it would undo that change: return it so the author starts again from the current version.</p>
      ) : null}
      <h2>Agreement with the person</h2>
      <dl>
        <dt>Written with the person</dt>
        <dd>{g.coProduced ? `Yes, agreed on ${day(g.agreedBySubjectOn)}` : 'No: the person has not agreed this plan'}</dd>
        <dt>Lawful basis</dt>
        <dd>{g.lawfulBasis.replace(/-/g, ' ')}</dd>
        <dt>Review by</dt>
        <dd>{day(g.reviewBy)}</dd>
      </dl>
      {proposal.content.inTheirOwnWords ? (
        <>
          <h2>In their own words</h2>
          <p>{proposal.content.inTheirOwnWords}</p>
        </>
      ) : null}
      <h2>What changed</h2>
      {review.base === undefined ? (
        <>
          <p>This is the first version of the plan: everything is new, so every section is shown in full.</p>
          {changes.map((c) => (
            <section aria-label={label(c.section)}>
              <h3>{label(c.section)}</h3>
              <div class="changed">
                <Words parts={c.words.parts} show="added" />
              </div>
            </section>
          ))}
        </>
      ) : changes.length === 0 ? (
        <p>Nothing changed from the published version.</p>
      ) : (
        changes.map((c) => (
          <section aria-label={label(c.section)}>
            <h3>
              {label(c.section)}: {c.change === 'added' ? 'added' : c.change === 'removed' ? 'removed' : 'changed'} ({c.words.wordsAdded} words added,{' '}
              {c.words.wordsRemoved} removed)
            </h3>
            <div class="side">
              <div class="changed">
                <h4>Published</h4>
                <Words parts={c.words.parts} show="removed" />
              </div>
              <div class="changed">
                <h4>Proposed</h4>
                <Words parts={c.words.parts} show="added" />
              </div>
            </div>
          </section>
        ))
      )}
      {review.unchanged.length ? <p class="meta">Unchanged: {review.unchanged.map(label).join(', ')}.</p> : null}
      <PlanLength r={after} title="How long it takes to read (proposed)" />
      {before ? (
        <p>
          The published version reads in about {duration(before.total.seconds)} ({before.total.words} words; summary {before.summary.words} words).
        </p>
      ) : null}
      <h2>Your decision</h2>
      <form method="post" action={`${base}/approve`}>
        {/* What is on this page: approving publishes this content only, never a later rewrite of it. */}
        <input type="hidden" name="contentHash" value={proposal.contentHash} />
        <button type="submit">Approve and publish</button>
      </form>
      <form method="post" action={`${base}/return`} novalidate>
        <label for="comment">Or return it to the author with a comment</label>
        <p id="comment.hint" class="hint">
          Say what needs changing. The author sees this on their plans page.
        </p>
        {errors.length ? <p id="comment.error" class="field-error">{errors[0]!.message}</p> : null}
        <textarea id="comment" name="comment" rows={3} aria-describedby={errors.length ? 'comment.hint comment.error' : 'comment.hint'} aria-invalid={errors.length ? true : undefined}>
          {comment}
        </textarea>
        <button type="submit" class="secondary">
          Return with comment
        </button>
      </form>
    </ConsolePage>
  );
}
