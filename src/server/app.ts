import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { agreementMatrix } from './api/v1/admin/agreements/matrix.js';
import { addAgreement } from './api/v1/admin/agreements/add.js';
import { proposeAgreementChange } from './api/v1/admin/agreements/change.js';
import { acceptAgreementProposal, declineAgreementProposal, getProposal, pendingProposals } from './api/v1/admin/agreements/proposals.js';
import { endAgreement } from './api/v1/admin/agreements/end.js';
import { extendAgreement } from './api/v1/admin/agreements/extend.js';
import { listAgreements } from './api/v1/admin/agreements/list.js';
import { addOrganisation } from './api/v1/admin/organisations/add.js';
import { changeOrganisation } from './api/v1/admin/organisations/change.js';
import { disableOrganisation } from './api/v1/admin/organisations/disable.js';
import { enableOrganisation } from './api/v1/admin/organisations/enable.js';
import { listOrganisations } from './api/v1/admin/organisations/list.js';
import { adminOverview } from './api/v1/admin/overview.js';
import { listAuditEvents } from './api/v1/audit/events.js';
import { listAuditFlags } from './api/v1/audit/flags.js';
import { reviewFlag } from './api/v1/audit/review-flag.js';
import { downloadCard } from './api/v1/cards/download.js';
import { issueCard } from './api/v1/cards/issue.js';
import { listCards } from './api/v1/cards/list.js';
import { revokeCard } from './api/v1/cards/revoke.js';
import { getAccessReport } from './api/v1/plans/access-report.js';
import { approveVersion } from './api/v1/plans/approve.js';
import { createPlanOp } from './api/v1/plans/create.js';
import { diffPlanVersions } from './api/v1/plans/diff.js';
import { editDraft } from './api/v1/plans/edit-draft.js';
import { getPlanByRef } from './api/v1/plans/get-by-ref.js';
import { getPlan } from './api/v1/plans/get.js';
import { newDraft } from './api/v1/plans/new-draft.js';
import { rejectVersion } from './api/v1/plans/reject.js';
import { submitVersion } from './api/v1/plans/submit.js';
import { getVersion } from './api/v1/plans/version.js';
import { listVersions } from './api/v1/plans/versions.js';
import { withdrawVersion } from './api/v1/plans/withdraw.js';
import { searchPeople } from './api/v1/search/search.js';
import { health, liveness, readiness } from './api/health.js';
import { requireActor } from './auth/require-actor.js';
import type { AppDeps, AppEnv, WebEnv } from './context.js';
import { AppError, createErrorHandler, notFoundHandler } from './errors.js';
import { oversightRoutes } from './web/oversight/routes.js';
import { securityHeaders } from './security-headers.js';
import { wellFormedUrl } from './url-text.js';
import { buildServices } from './services.js';
import { planPage } from './web/plan.js';
import { purposeForm, statePurpose } from './web/purpose.js';
import { codeForm, enterCode, scanQr } from './web/scan.js';
import { compressPages } from './web/compress.js';
import { browserErrorPage } from './web/error-pages.js';
import { favicon } from './web/favicon.js';
import { searchPage } from './web/search.js';
import { loadSession } from './web/shared.js';
import { signInPages } from './web/sign-in.js';
import { fhirRoutes } from './fhir/routes.js';
import { requestLog } from './request-log.js';
import { PrefixRouter } from './router.js';
import { allowedMethods } from './allow.js';
import { listReviews } from './api/v1/reviews/list.js';
import { manageRoutes } from './web/manage/index.js';
import { openApiRoutes } from './openapi/routes.js';

// A whole plan is a few kilobytes; anything near this limit is a mistake or an attack.
const MAX_BODY_BYTES = 256 * 1024;

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new AppError('too_large', `request body over ${MAX_BODY_BYTES / 1024} KB`);
  },
});

/**
 * The whole HTTP service from its parts, and its route table, top to bottom. Tests build it with real
 * SQLite files and call it with `app.request()`; `src/main.ts` serves the same app over HTTP.
 * Each operation lives in its own file (api/v1/<resource>/, web/) and is registered here.
 */
export function createApp(deps: AppDeps) {
  const s = buildServices(deps);

  // The JSON API: every route behind a verified bearer token (auth/require-actor.ts), once.
  const v1 = new Hono<AppEnv>()
    .use(requireActor(s))
    // Responders' reads of the current published plan.
    .get('/plans', ...getPlanByRef(s))
    .get('/plans/:planId', ...getPlan(s))
    // Authoring: drafts, review, publishing, withdrawal (workflow.ts decides who may).
    .post('/plans', ...createPlanOp(s))
    .post('/plans/:planId/versions', ...newDraft(s))
    .put('/plans/:planId/versions/:version', ...editDraft(s))
    .post('/plans/:planId/versions/:version/submit', ...submitVersion(s))
    .post('/plans/:planId/versions/:version/approve', ...approveVersion(s))
    .post('/plans/:planId/versions/:version/reject', ...rejectVersion(s))
    .post('/plans/:planId/versions/:version/withdraw', ...withdrawVersion(s))
    .get('/reviews', ...listReviews(s))
    .get('/plans/:planId/versions', ...listVersions(s))
    .get('/plans/:planId/versions/:version', ...getVersion(s))
    .get('/plans/:planId/diff', ...diffPlanVersions(s))
    // Patient-held cards.
    .post('/plans/:planId/cards', ...issueCard(s))
    .get('/plans/:planId/cards', ...listCards(s))
    .get('/plans/:planId/cards/:file', ...downloadCard(s))
    .delete('/plans/:planId/cards/current', ...revokeCard(s))
    // Finding people.
    .get('/search', ...searchPeople(s))
    // Oversight: the access log, unusual access, the person's report.
    .get('/audit/events', ...listAuditEvents(s))
    .get('/audit/flags', ...listAuditFlags(s))
    .post('/audit/flags/:id/review', ...reviewFlag(s))
    .get('/plans/:planId/access-report', ...getAccessReport(s))
    // Administration: the register of organisations and agreements.
    .get('/admin/overview', ...adminOverview(s))
    .get('/admin/organisations', ...listOrganisations(s))
    .post('/admin/organisations', ...addOrganisation(s))
    .patch('/admin/organisations/:slug', ...changeOrganisation(s))
    .post('/admin/organisations/:slug/disable', ...disableOrganisation(s))
    .post('/admin/organisations/:slug/enable', ...enableOrganisation(s))
    .get('/admin/agreements', ...listAgreements(s))
    .get('/admin/agreements/matrix', ...agreementMatrix(s))
    .post('/admin/agreements', ...addAgreement(s))
    .post('/admin/agreements/:ref/end', ...endAgreement(s))
    .post('/admin/agreements/:ref/extend', ...extendAgreement(s))
    .post('/admin/agreements/:ref/changes', ...proposeAgreementChange(s))
    .get('/admin/agreement-proposals', ...pendingProposals(s))
    .get('/admin/agreement-proposals/:id', ...getProposal(s))
    .post('/admin/agreement-proposals/:id/accept', ...acceptAgreementProposal(s))
    .post('/admin/agreement-proposals/:id/decline', ...declineAgreementProposal(s));

  // Server-rendered pages: the session cookie is read once, for every page.
  const signIn = signInPages(s);
  const pages = new Hono<WebEnv>()
    .use(compressPages, loadSession(s), wellFormedUrl)
    .get('/', ...searchPage(s))
    .get('/sign-in', ...signIn.choose)
    .post('/sign-in', ...signIn.demo)
    .get('/sign-in/:org', ...signIn.begin)
    .get('/auth/callback', ...signIn.callback)
    .post('/sign-out', ...signIn.signOut)
    .get('/signed-out', ...signIn.signedOut)
    .get('/purpose', ...purposeForm(s))
    .post('/purpose', ...statePurpose(s))
    .get('/plans/:planId', ...planPage(s))
    // The card the person carries: its QR code, or its printed code typed in.
    .get('/q/:token', ...scanQr(s))
    .get('/code', ...codeForm(s))
    .post('/code', ...enterCode(s))
    // The authoring console: authors write and revise, approvers review (their routes: web/manage/).
    .route('/', manageRoutes(s))
    // Oversight: the auditor's console and the administrator's pages (their routes: web/oversight/routes.ts).
    .route('/', oversightRoutes(s));

  // One Hono router per first path segment (router.ts): the consoles' `…/new` beside `…/:id` would
  // otherwise put every route, the responders' hot reads included, on the slower fallback router.
  const app = new Hono<AppEnv>({ router: new PrefixRouter() })
    // One log line per request (request id, route pattern, status, time; never content), and metrics.
    .use(requestLog(deps.logger, deps.metrics?.observeRequest), securityHeaders)
    // GET and HEAD carry no body, and asking for one makes the Node adapter build a full Fetch Request.
    .use((c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)))
    .get('/healthz', ...health(s))
    .get('/readyz', ...readiness(s))
    .get('/livez', ...liveness())
    .get('/favicon.svg', favicon)
    .get('/favicon.ico', favicon)
    .route('/api/v1', v1)
    // FHIR R4 for health systems: the same reads, authorisation and access events, in FHIR's terms.
    .route('/fhir/R4', fhirRoutes(s))
    .route('/', pages);
  // The API's own description, from the route table above (GET /openapi.json, GET /docs).
  app.route('/', openApiRoutes(app));
  app.onError(createErrorHandler(deps.logger, browserErrorPage));
  // Another method on an API path is 405 with Allow; anything else unrouted is 404.
  app.notFound(notFoundHandler(browserErrorPage, allowedMethods(app, '/api/v1/')));
  return app;
}
export type App = ReturnType<typeof createApp>;
