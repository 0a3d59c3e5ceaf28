import { Hono } from 'hono';
import { z } from 'zod';
import { authoriseAdmin, type Operator } from '../../plans/policy.js';
import { isoDay } from '../../plans/core/clock.js';
import { slugSchema } from '../../plans/core/content.js';
import {
  addAgreement,
  addOrganisationGoverned,
  agreementStates,
  changeOrganisation,
  disableOrganisation,
  endAgreement,
  extendAgreement,
  extendAgreementSchema,
  listAgreements,
  listOrganisationsView,
  organisationPatchSchema,
  reasonSchema,
  sharingMatrix,
} from '../../plans/governance/governance.js';
import { governanceOverview } from '../../plans/governance/summary.js';
import { newDsaSchema, newOrganisationSchema } from '../../plans/organisations.js';
import type { AppEnv, AppServices } from '../context.js';
import { unwrap } from '../errors.js';
import { requireActor } from '../middleware.js';
import { validate } from '../validate.js';

const slugParam = z.strictObject({ slug: slugSchema });
const refParam = z.strictObject({ ref: z.string().trim().min(1).max(100) });
const agreementQuery = z.strictObject({ state: z.enum(agreementStates).optional() });

/** /api/v1/admin: the register of organisations and agreements (admin role; every write is a governance event). */
export function adminRoutes(services: AppServices) {
  const deps = { db: services.db, log: services.accessLog, clock: services.clock };
  const op = (c: { var: AppEnv['Variables'] }): Operator => ({ via: 'api', actor: c.var.actor });
  const admin = (c: { var: AppEnv['Variables'] }) => unwrap(authoriseAdmin(op(c)));
  const today = () => isoDay(services.clock());

  return new Hono<AppEnv>()
    .use(requireActor(services))
    .get('/organisations', (c) => {
      admin(c);
      return c.json({ organisations: listOrganisationsView(services.db) });
    })
    .post('/organisations', validate('json', newOrganisationSchema), async (c) =>
      c.json({ organisation: unwrap(await addOrganisationGoverned(deps, op(c), c.req.valid('json'))) }, 201),
    )
    .patch('/organisations/:slug', validate('param', slugParam), validate('json', organisationPatchSchema), async (c) =>
      c.json({ organisation: unwrap(await changeOrganisation(deps, op(c), c.req.valid('param').slug, c.req.valid('json'))) }),
    )
    .post('/organisations/:slug/disable', validate('param', slugParam), validate('json', reasonSchema), async (c) =>
      c.json({ organisation: unwrap(await disableOrganisation(deps, op(c), c.req.valid('param').slug, c.req.valid('json'))) }),
    )
    .get('/agreements', validate('query', agreementQuery), (c) => {
      admin(c);
      return c.json({ day: today(), agreements: listAgreements(services.db, today(), c.req.valid('query').state) });
    })
    .get('/overview', (c) => {
      admin(c);
      return c.json(governanceOverview(services.db, services.clock()));
    })
    .get('/agreements/matrix', (c) => {
      admin(c);
      return c.json(sharingMatrix(services.db, today()));
    })
    .post('/agreements', validate('json', newDsaSchema), async (c) =>
      c.json({ agreement: unwrap(await addAgreement(deps, op(c), c.req.valid('json'))) }, 201),
    )
    .post('/agreements/:ref/end', validate('param', refParam), validate('json', reasonSchema), async (c) =>
      c.json({ agreement: unwrap(await endAgreement(deps, op(c), c.req.valid('param').ref, c.req.valid('json'))) }),
    )
    .post('/agreements/:ref/extend', validate('param', refParam), validate('json', extendAgreementSchema), async (c) =>
      c.json({ agreement: unwrap(await extendAgreement(deps, op(c), c.req.valid('param').ref, c.req.valid('json'))) }),
    );
}
