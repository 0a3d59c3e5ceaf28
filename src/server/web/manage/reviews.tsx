import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { reasonOf, type Failure } from '../../../plans/core/result.js';
import { reviewQueue } from '../../../plans/versions/queues.js';
import { DEFAULT_SUMMARY_WARN_WORDS, readability } from '../../../plans/versions/readability.js';
import { previewFor, previewQuerySchema } from '../../../plans/versions/preview.js';
import { reviewOf } from '../../../plans/versions/review.js';
import { approve, contentHashSchema, reject } from '../../../plans/versions/workflow.js';
import { MessagePage } from '../../../ui/pages/manage/common.js';
import { ReviewPage, ReviewQueuePage } from '../../../ui/pages/manage/reviews.js';
import type { AppServices, WebEnv } from '../../context.js';
import { page } from '../shared.js';
import { consoleGuards, consoleWho, planIdPattern, refusalPage } from './shared.js';

const commentSchema = z
  .string()
  .trim()
  .min(1, { error: 'Write a comment for the author: what needs changing' })
  .max(2000, { error: 'The comment must be at most 2,000 characters' });
const versionOf = (s: string | undefined) => (s && /^\d{1,6}$/.test(s) ? Number(s) : undefined);

/**
 * The approval race, a stale base, content changed since the page was read and a decision already taken
 * each get a page that says what happened: the domain refused the decision, and nothing was changed.
 */
function decisionRefused(c: Context<WebEnv>, f: Failure, planId: string) {
  const back = `/manage/plans/${planId}`;
  const review = `/manage/reviews/${planId}/${c.req.param('version')}`;
  const status = f.extra?.versionStatus;
  const reason = reasonOf(f);
  const who = consoleWho(c);
  if (reason === 'wrong-status' || reason === 'approval-race') {
    return page(
      c,
      <MessagePage who={who} title="Someone else has already decided on this version">
        <p>
          {reason === 'wrong-status'
            ? `This version is now ${status === 'draft' ? 'back with its author' : String(status)}.`
            : 'Another approver published this plan at the same moment.'}{' '}
          Your decision was not applied, and nothing was changed.
        </p>
        <p>
          <a href={back}>See where the plan stands now</a>
        </p>
      </MessagePage>,
      409,
    );
  }
  if (reason === 'content-changed') {
    return page(
      c,
      <MessagePage who={who} title="This version changed after you opened it">
        <p>
          It was returned to its author and rewritten while you were reading it, so what you read is not what would be published. Nothing
          was approved. Read it again before you decide.
        </p>
        <p>
          <a href={review}>Read the version as it is now</a>
        </p>
      </MessagePage>,
      409,
    );
  }
  if (reason === 'stale-base') {
    return page(
      c,
      <MessagePage who={who} title="The plan was published again since this version was written">
        <p>
          Approving this version would silently undo the newer published change, so it was not approved. Return it to the author: they start
          a new draft from the current version.
        </p>
        <p>
          <a href={review}>Back to the review</a>
        </p>
      </MessagePage>,
      409,
    );
  }
  return refusalPage(c, f, back);
}

/** `/manage/reviews`: the approver's queue, the side-by-side review, approve and return. */
export function manageReviewRoutes(services: AppServices) {
  const { db, clock } = services;
  const guard = consoleGuards(services);
  const warnAt = services.summaryWarnWords ?? DEFAULT_SUMMARY_WARN_WORDS;

  const reviewPage = async (c: Context<WebEnv>, comment = '', error?: string) => {
    const planId = c.req.param('planId') ?? '';
    const version = versionOf(c.req.param('version'));
    if (!planIdPattern.test(planId) || version === undefined)
      return refusalPage(c, { ok: false, code: 'not_found', detail: 'no such plan' });
    const as = previewQuerySchema.safeParse(c.req.query('as'));
    if (!as.success)
      return refusalPage(
        c,
        { ok: false, code: 'invalid', detail: `"as" ${as.error.issues[0]!.message}` },
        `/manage/reviews/${planId}/${version}`,
      );
    const r = await reviewOf(db, c.var.actor!, planId, version);
    if (!r.ok) return decisionRefused(c, r, planId);
    c.set('access', { planId, versionId: r.value.proposal.id, query: { console: 'review', version, as: as.data } });
    if (r.value.proposal.status !== 'in-review') {
      return decisionRefused(
        c,
        { ok: false, code: 'conflict', detail: 'not in review', extra: { reason: 'wrong-status', versionStatus: r.value.proposal.status } },
        planId,
      );
    }
    const errors = error ? [{ field: 'comment', anchor: 'comment', message: error }] : [];
    return page(
      c,
      <ReviewPage
        who={consoleWho(c)}
        review={r.value}
        after={readability(r.value.proposal.content, warnAt)}
        before={r.value.base ? readability(r.value.base.content, warnAt) : undefined}
        errors={errors}
        comment={comment}
        preview={{ view: previewFor(r.value.proposal, as.data), as: as.data }}
      />,
      error ? 400 : 200,
    );
  };

  return (
    new Hono<WebEnv>()
      .get('/manage/reviews', ...guard.read('search'), async (c) => {
        const q = await reviewQueue(db, c.var.actor!, clock());
        if (!q.ok) return refusalPage(c, q);
        c.set('access', { planId: null, query: { console: 'reviews' }, resultPlanIds: q.value.map((i) => i.planId) });
        return page(c, <ReviewQueuePage who={consoleWho(c)} items={q.value} />);
      })
      .get('/manage/reviews/:planId/:version', ...guard.read('view'), (c) => reviewPage(c))
      .post('/manage/reviews/:planId/:version/approve', ...guard.write, async (c) => {
        const planId = c.req.param('planId');
        const version = versionOf(c.req.param('version'));
        if (version === undefined) return refusalPage(c, { ok: false, code: 'not_found', detail: 'no such version' });
        // The review page's form says which content was on screen; a form without it (a page from before
        // this field existed, or a hand-made post) approves nothing.
        const form = await c.req.parseBody();
        const seen = contentHashSchema.safeParse(form.contentHash);
        if (!seen.success) {
          return page(
            c,
            <MessagePage who={consoleWho(c)} title="Open the review again before approving">
              <p>
                This approval did not say which text you read, so nothing was approved. Open the version again, read it, and approve from
                that page.
              </p>
              <p>
                <a href={`/manage/reviews/${planId}/${version}`}>Open the review</a>
              </p>
            </MessagePage>,
            400,
          );
        }
        const done = await approve(db, c.var.actor!, { planId, version }, seen.data, clock(), services.planEvents);
        if (!done.ok) return decisionRefused(c, done, planId);
        return c.redirect(`/manage/plans/${planId}?done=published`, 303);
      })
      // The review shown again for a missing comment is a read of the plan too: it goes on the trail.
      .post('/manage/reviews/:planId/:version/return', ...guard.writeShowing('view'), async (c) => {
        const planId = c.req.param('planId');
        const version = versionOf(c.req.param('version'));
        if (version === undefined) return refusalPage(c, { ok: false, code: 'not_found', detail: 'no such version' });
        const form = await c.req.parseBody();
        const raw = typeof form.comment === 'string' ? form.comment : '';
        const comment = commentSchema.safeParse(raw);
        if (!comment.success) return reviewPage(c, raw, comment.error.issues[0]!.message);
        const done = await reject(db, c.var.actor!, { planId, version }, comment.data, clock());
        if (!done.ok) return decisionRefused(c, done, planId);
        return c.redirect(`/manage/reviews?done=returned`, 303);
      })
  );
}
