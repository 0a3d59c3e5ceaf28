import type { ReviewItem } from '../../../plans/versions/queues.js';
import type { Readability } from '../../../plans/versions/readability.js';
import type { Review } from '../../../plans/versions/review.js';
import type { ResponderKind } from '../../../plans/core/audience.js';
import { ErrorSummary, type FormError } from '../../components/plan-form.js';
import { duration, PlanLength } from '../../components/readability.js';
import { ResponderPreview } from '../../components/responder-preview.js';
import { readableDate } from '../../dates.js';
import { SideBySide, Words } from '../../components/word-diff.js';
import type { PlanBodyView } from '../plan.js';
import { ConsolePage, day, when, type Who } from './common.js';
import { changeLabel as label } from './labels.js';

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
              <th scope="col">Your decision</th>
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
                <td>
                  {i.mayApprove ? (
                    <a href={`/manage/reviews/${i.planId}/${i.version}`}>
                      Read and approve<span class="vh"> the plan for {i.name}</span>
                    </a>
                  ) : (
                    <NotApprovable reason={i.notApprovable} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </ConsolePage>
  );
}

/** Said wherever approval would otherwise be offered, by the reason policy.ts refused it. */
const NotApprovable = ({ reason }: { reason: string | undefined }) =>
  reason === 'four-eyes' ? (
    <p class="four-eyes">You wrote or edited part of this version, so someone else must approve it.</p>
  ) : reason === 'stale-base' ? (
    <p class="warn">
      The plan was published again after this version was written, so approving it would undo that change. Return it so the author starts
      again from the current version.
    </p>
  ) : (
    <p>You cannot approve this version.</p>
  );

type Props = {
  who: Who;
  review: Review;
  before?: Readability;
  after: Readability;
  errors: FormError[];
  comment: string;
  preview: { view: PlanBodyView; as: ResponderKind };
};

/**
 * The proposal as each kind of responder will read it, then the published version and proposal side by
 * side (each changed section's words marked) or, for a first version, every field; then approve or return.
 */
export function ReviewPage({ who, review, before, after, errors, comment, preview }: Props) {
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
      {review.notApprovable === 'stale-base' ? <NotApprovable reason="stale-base" /> : null}
      <h2>Agreement with the person</h2>
      <dl>
        <dt>Written with the person</dt>
        <dd>{g.coProduced ? `Yes, agreed on ${day(g.agreedBySubjectOn)}` : 'No: the person has not agreed this plan'}</dd>
        <dt>Lawful basis</dt>
        <dd>{g.lawfulBasis.replace(/-/g, ' ')}</dd>
        <dt>Review by</dt>
        <dd>{day(g.reviewBy)}</dd>
      </dl>
      <ResponderPreview
        view={preview.view}
        as={preview.as}
        href={(k) => `${base}?as=${k}`}
        title={
          review.base === undefined ? 'The new plan, as responders will see it' : 'The plan as responders will see it once this is approved'
        }
        version={
          <p class="meta">
            Proposed version {proposal.version} · review by {readableDate(g.reviewBy)}
          </p>
        }
      />
      <h2 id="changes">{review.base === undefined ? 'Everything in this version, field by field' : 'What changed'}</h2>
      {review.base === undefined ? (
        <>
          <p>
            This is the first version of the plan: everything is new, so every section is shown in full, including what no responder is
            shown (such as the NHS number and where each place is).
          </p>
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
              {label(c.section)}: {c.change === 'added' ? 'added' : c.change === 'removed' ? 'removed' : 'changed'} ({c.words.wordsAdded}{' '}
              words added, {c.words.wordsRemoved} removed)
            </h3>
            <SideBySide parts={c.words.parts} before="Published" after="Proposed" />
          </section>
        ))
      )}
      {review.unchanged.length ? <p class="meta">Unchanged: {review.unchanged.map(label).join(', ')}.</p> : null}
      <PlanLength r={after} title="How long it takes to read (proposed)" />
      {before ? (
        <p>
          The published version reads in about {duration(before.total.seconds)} ({before.total.words} words; summary {before.summary.words}{' '}
          words).
        </p>
      ) : null}
      <h2>Your decision</h2>
      {review.mayApprove ? (
        <form method="post" action={`${base}/approve`}>
          {/* What is on this page: approving publishes this content only, never a later rewrite of it. */}
          <input type="hidden" name="contentHash" value={proposal.contentHash} />
          <button type="submit">Approve and publish</button>
        </form>
      ) : (
        <NotApprovable reason={review.notApprovable} />
      )}
      <form method="post" action={`${base}/return`} novalidate>
        <label for="comment">Or return it to the author with a comment</label>
        <p id="comment.hint" class="hint">
          Say what needs changing. The author sees this on their plans page.
        </p>
        {errors.length ? (
          <p id="comment.error" class="field-error">
            {errors[0]!.message}
          </p>
        ) : null}
        <textarea
          id="comment"
          name="comment"
          rows={3}
          aria-describedby={errors.length ? 'comment.hint comment.error' : 'comment.hint'}
          aria-invalid={errors.length ? true : undefined}
        >
          {comment}
        </textarea>
        <button type="submit" class="secondary">
          Return with comment
        </button>
      </form>
    </ConsolePage>
  );
}
