import { Hono } from 'hono';
import { z } from 'zod';
import { createPlanBodySchema, draftBodySchema } from '../../plans/core/content.js';
import { diffVersions } from '../../plans/versions/diff.js';
import { planHistory, readVersion } from '../../plans/versions/history.js';
import { findVersion } from '../../plans/versions/store.js';
import {
  approve,
  createDraft,
  createPlan,
  editDraft,
  reject,
  submitForReview,
  withdraw,
  type VersionRef,
} from '../../plans/versions/workflow.js';
import { auditTrail } from '../access-trail/api.js';
import type { AppEnv, AppServices } from '../context.js';
import { unwrap } from '../errors.js';
import { requireActor, requirePurpose } from '../middleware.js';
import { planIdParam, validate, versionParam } from '../validate.js';

const commentBody = z.strictObject({ comment: z.string().trim().min(1).max(2000) });
const reasonBody = z.strictObject({ reason: z.string().trim().min(3).max(2000) });
const diffQuery = z.strictObject({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) });
/** A new draft may carry its content, or be `{}` to start from the current published version. */
const newDraftBody = z.union([draftBodySchema, z.strictObject({}).transform(() => undefined)]);

/** Authors write and submit; approvers approve, reject and withdraw. All on their own organisation's plans. */
export function authoringRoutes(services: AppServices) {
  const { db, clock } = services;
  const now = () => clock();
  const refOf = (p: { planId: string; version: number }): VersionRef => ({ planId: p.planId, version: p.version });
  const links = (r: VersionRef) => ({
    plan: `/api/v1/plans/${r.planId}`,
    version: `/api/v1/plans/${r.planId}/versions/${r.version}`,
  });
  const answer = (r: VersionRef) => ({ ...r, status: findVersion(db, r.planId, r.version)!.status, links: links(r) });

  const writes = new Hono<AppEnv>()
    .use(requireActor(services))
    .post('/', validate('json', createPlanBodySchema), (c) => {
      const ref = unwrap(createPlan(db, c.var.actor, c.req.valid('json'), now()));
      return c.json(answer(ref), 201, { Location: links(ref).version });
    })
    .post('/:planId/versions', validate('param', planIdParam), validate('json', newDraftBody), (c) => {
      const ref = unwrap(createDraft(db, c.var.actor, c.req.valid('param').planId, c.req.valid('json'), now()));
      return c.json(answer(ref), 201, { Location: links(ref).version });
    })
    .put('/:planId/versions/:version', validate('param', versionParam), validate('json', draftBodySchema), (c) => {
      const ref = unwrap(editDraft(db, c.var.actor, refOf(c.req.valid('param')), c.req.valid('json'), now()));
      return c.json(answer(ref));
    })
    .post('/:planId/versions/:version/submit', validate('param', versionParam), (c) => {
      return c.json(answer(unwrap(submitForReview(db, c.var.actor, refOf(c.req.valid('param')), now()))));
    })
    .post('/:planId/versions/:version/approve', validate('param', versionParam), (c) => {
      const ref = unwrap(approve(db, c.var.actor, refOf(c.req.valid('param')), now()));
      // Published: findable by responders as soon as possible, not at the index worker's next poll.
      services.search.indexSoon();
      return c.json(answer(ref));
    })
    .post('/:planId/versions/:version/reject', validate('param', versionParam), validate('json', commentBody), (c) => {
      const ref = unwrap(reject(db, c.var.actor, refOf(c.req.valid('param')), c.req.valid('json').comment, now()));
      return c.json(answer(ref));
    })
    .post('/:planId/versions/:version/withdraw', validate('param', versionParam), validate('json', reasonBody), (c) => {
      const ref = unwrap(withdraw(db, c.var.actor, refOf(c.req.valid('param')), c.req.valid('json').reason, now()));
      services.search.indexSoon();
      return c.json(answer(ref));
    });

  // Reading drafts and history returns plan data too: a purpose, and one access event per request.
  const reads = new Hono<AppEnv>()
    .use(requireActor(services))
    .get('/:planId/versions', auditTrail(services, 'history'), requirePurpose, validate('param', planIdParam), (c) => {
      return c.json(unwrap(planHistory(db, c.var.actor, c.req.valid('param').planId)));
    })
    .get('/:planId/versions/:version', auditTrail(services, 'view'), requirePurpose, validate('param', versionParam), (c) => {
      const { planId, version } = c.req.valid('param');
      c.set('audit', { query: { version } });
      const v = unwrap(readVersion(db, c.var.actor, planId, version));
      c.set('audit', { query: { version }, versionId: v.versionId });
      return c.json(v);
    })
    .get('/:planId/diff', auditTrail(services, 'history'), requirePurpose, validate('param', planIdParam), validate('query', diffQuery), (c) => {
      const { from, to } = c.req.valid('query');
      return c.json(unwrap(diffVersions(db, c.var.actor, c.req.valid('param').planId, from, to)));
    });

  return { writes, reads };
}
