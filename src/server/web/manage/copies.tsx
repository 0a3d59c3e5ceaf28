import { Hono } from 'hono';
import { personCopyDocument, printPersonCopy } from '../../../plans/copies/copies.js';
import type { AppServices, WebEnv } from '../../context.js';
import { consoleGuards, planIdPattern, refusalPage } from './shared.js';

export const personCopyPdfPath = (planId: string, copyId: number) => `/manage/plans/${planId}/copies/${copyId}/pdf`;

/**
 * `/manage/plans/:planId/copies`: the person's own copy of their plan. Post, then redirect: the post
 * records which version the person is given and goes back to the plan's page, which offers the PDF by
 * a GET of that recorded copy. A refresh of either page, or a second download, records no new copy
 * (each download is still an access event: plan content left the service).
 */
export function manageCopyRoutes(services: AppServices) {
  const { db, clock } = services;
  const guard = consoleGuards(services);

  return new Hono<WebEnv>()
    .post('/manage/plans/:planId/copies', ...guard.write, async (c) => {
      const planId = c.req.param('planId');
      if (!planIdPattern.test(planId)) return refusalPage(c, { ok: false, code: 'not_found', detail: 'no such plan' });
      const form = await c.req.parseBody();
      const printed = await printPersonCopy(db, c.var.actor!, planId, { withoutIdentifiers: form.withoutIdentifiers === 'yes' }, clock());
      if (!printed.ok) return refusalPage(c, printed, `/manage/plans/${planId}`);
      return c.redirect(`/manage/plans/${planId}?done=copy#person-copy`, 303);
    })
    .get('/manage/plans/:planId/copies/:copyId/pdf', ...guard.read('print'), async (c) => {
      const planId = c.req.param('planId');
      const copyId = c.req.param('copyId');
      if (!planIdPattern.test(planId) || !/^[1-9]\d{0,11}$/.test(copyId))
        return refusalPage(c, { ok: false, code: 'not_found', detail: 'no such copy of this plan' });
      // Noted before the rule is asked, so a refused attempt to take a copy is in the log too.
      c.set('access', { planId, query: { console: 'person-copy', copyId: Number(copyId) } });
      const doc = await personCopyDocument(db, c.var.actor!, planId, Number(copyId));
      if (!doc.ok) return refusalPage(c, doc, `/manage/plans/${planId}`);
      const copy = doc.value.copy;
      c.set('access', {
        planId,
        versionId: copy.versionId,
        query: { console: 'person-copy', copyId: copy.copyId, withoutIdentifiers: copy.withoutIdentifiers },
      });
      // The file name says nothing about the person: it may be saved to a shared folder or attached to an email.
      const name = `response-plan-version-${copy.version}${copy.withoutIdentifiers ? '-summary' : ''}.pdf`;
      return c.body(doc.value.pdf as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="${name}"`,
        'cache-control': 'no-store',
      });
    });
}
