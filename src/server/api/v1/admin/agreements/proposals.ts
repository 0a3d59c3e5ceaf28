import { z } from 'zod';
import { isoDay } from '../../../../../plans/core/clock.js';
import {
  acceptProposal,
  declineProposal,
  declineSchema,
  getProposalView,
  pendingFor,
  proposalViewSchema,
} from '../../../../../plans/governance/agreements.js';
import type { AppServices } from '../../../../context.js';
import { AppError, unwrap } from '../../../../errors.js';
import { validate } from '../../../../validate.js';
import { api } from '../../../factory.js';
import { governanceDeps, operator, proposalAnswer, proposalParam, requireAdmin } from '../shared.js';
import { documented, type OperationDoc } from '../../../../openapi/operation.js';

const pendingAnswer = z.strictObject({
  day: z.string(),
  awaitingYourAcceptance: z.array(proposalViewSchema).describe('pending proposals your organisation is party to and has not answered'),
  proposedByYou: z.array(proposalViewSchema).describe('pending proposals your organisation made'),
});

/** GET /api/v1/admin/agreement-proposals — what waits on the caller's organisation. */
export const pendingProposals = (s: AppServices) =>
  documented(
    {
      summary: "Proposals waiting for your organisation's answer, and those it made",
      tag: 'admin',
      ok: { description: 'Pending proposals', schema: pendingAnswer },
      errors: [400, 403],
    },
    api.createHandlers(validate('query', z.strictObject({})), async (c) => {
      requireAdmin(c);
      const day = isoDay(s.clock());
      return c.json({ day, ...(await pendingFor(s.db, c.var.actor.org, day)) });
    }),
  );

/** GET /api/v1/admin/agreement-proposals/:id */
export const getProposal = (s: AppServices) =>
  documented(
    {
      summary: 'One proposal: its terms, who has answered, who has not',
      tag: 'admin',
      ok: { description: 'The proposal', schema: proposalAnswer },
      errors: [400, 403, 404],
    },
    api.createHandlers(validate('param', proposalParam), async (c) => {
      requireAdmin(c);
      const p = await getProposalView(s.db, c.req.valid('param').id, isoDay(s.clock()));
      if (!p) throw new AppError('not_found', `no proposal ${c.req.valid('param').id}`);
      return c.json({ proposal: p });
    }),
  );

const acceptDoc: OperationDoc = {
  summary: 'Accept a proposal for your organisation (an admin of a party)',
  description: "A governance event. When this is the last party's acceptance the terms are in force at once (`state: accepted`).",
  tag: 'admin',
  ok: { description: 'The proposal after your acceptance', schema: proposalAnswer },
  errors: [400, 403, 404, 409, 503],
};

/** POST /api/v1/admin/agreement-proposals/:id/accept */
export const acceptAgreementProposal = (s: AppServices) =>
  documented(
    acceptDoc,
    api.createHandlers(validate('param', proposalParam), async (c) =>
      c.json({ proposal: unwrap(await acceptProposal(governanceDeps(s), operator(c), c.req.valid('param').id)) }),
    ),
  );

const declineDoc: OperationDoc = {
  summary: 'Decline a proposal for your organisation, with a reason (an admin of a party)',
  description: 'Closes the proposal; an agreement in force stays as it was. The proposer may decline its own proposal to withdraw it.',
  tag: 'admin',
  ok: { description: 'The declined proposal', schema: proposalAnswer },
  errors: [400, 403, 404, 409, 503],
};

/** POST /api/v1/admin/agreement-proposals/:id/decline {reason} */
export const declineAgreementProposal = (s: AppServices) =>
  documented(
    declineDoc,
    api.createHandlers(validate('param', proposalParam), validate('json', declineSchema), async (c) =>
      c.json({ proposal: unwrap(await declineProposal(governanceDeps(s), operator(c), c.req.valid('param').id, c.req.valid('json'))) }),
    ),
  );
