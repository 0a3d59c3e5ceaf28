import { Hono, type Context } from 'hono';
import { createPlanBodySchema, draftBodySchema } from '../../../plans/core/content.js';
import { personCopyStatus } from '../../../plans/copies/copies.js';
import { reasonOf } from '../../../plans/core/result.js';
import { authoriseWrite, consoleActions } from '../../../plans/policy.js';
import { consolePlan, openDraftOf, type ConsolePlan } from '../../../plans/versions/console.js';
import { previewFor, previewQuerySchema } from '../../../plans/versions/preview.js';
import { authorHome, homeQuerySchema } from '../../../plans/versions/queues.js';
import { readability } from '../../../plans/versions/readability.js';
import { createDraft, createPlan, editDraft, submitForReview } from '../../../plans/versions/workflow.js';
import { DEFAULT_SUMMARY_WARN_WORDS } from '../../../plans/versions/readability.js';
import { EditSectionPage, PlanOverviewPage, PlanPreviewPage, type PlanHeading, type TaskState } from '../../../ui/pages/manage/edit.js';
import { ManageHomePage } from '../../../ui/pages/manage/home.js';
import { located } from '../../../ui/pages/manage/places.js';
import { newPlanSection, sectionByKey, sections, type Rows, type Section } from '../../../ui/pages/manage/spec.js';
import type { AppServices, WebEnv } from '../../context.js';
import { page } from '../shared.js';
import { personCopyPdfPath } from './copies.js';
import { placesTyped } from './places.js';
import { addRow, applySection, fieldErrors, readPost, removeRow, valuesOf, type FormValues } from './form.js';
import { consoleGuards, consoleWho, planIdPattern, refusalPage } from './shared.js';

const nameOf = (p: ConsolePlan) => `${p.record.subject.givenNames} ${p.record.subject.familyName}`;
export const headingOf = (p: ConsolePlan): PlanHeading => ({
  planId: p.planId,
  externalRef: p.externalRef,
  name: nameOf(p),
  version: p.latest.version,
  status: p.returned ? 'returned' : p.latest.status,
  returned: p.returned,
});

/** A section is done once anything in it is filled in; the summary is to check when it is over the length responders can take in. */
function taskStates(record: unknown, summaryTooLong: boolean): Record<string, TaskState> {
  return Object.fromEntries(
    sections.map((s) => {
      const filled = Object.entries(valuesOf(s, record)).some(([k, v]) => !k.endsWith('.count') && v !== '' && v !== 'false');
      const state: TaskState = !filled ? 'not-started' : s.key === 'summary' && summaryTooLong ? 'warning' : 'done';
      return [s.key, state];
    }),
  );
}

/** "Add another" and "remove" re-render the section with what was typed; nothing is saved. */
function rowAction(section: Section, form: Record<string, unknown>, values: FormValues): FormValues | undefined {
  const rows = section.items.filter((i): i is Rows => i.kind === 'rows');
  const add = rows.find((r) => r.name === form.add);
  if (add) return addRow(values, add);
  if (typeof form.remove === 'string') {
    const m = form.remove.match(/^(.+)\.(\d+)$/);
    const target = m ? rows.find((r) => r.name === m[1]) : undefined;
    if (target) return removeRow(values, target, Number(m![2]));
  }
  return undefined;
}

/** `/manage` (the author's home), new plans, a plan's page, editing section by section, starting a draft, sending for review. */
export function managePlanRoutes(services: AppServices) {
  const { db, clock } = services;
  const guard = consoleGuards(services);
  const warnAt = services.summaryWarnWords ?? DEFAULT_SUMMARY_WARN_WORDS;

  /** What the plan's pages offer this person: policy.ts decides, so nothing offered is then refused. */
  const actionsOn = (c: Context<WebEnv>, p: ConsolePlan) =>
    consoleActions(c.var.actor!, { owningOrg: p.owningOrg, currentVersionId: p.current?.id ?? null }, p.latest);

  const load = async (c: Context<WebEnv>) => {
    const planId = c.req.param('planId') ?? '';
    if (!planIdPattern.test(planId)) return { ok: false as const, code: 'not_found' as const, detail: 'no such plan' };
    return consolePlan(db, c.var.actor!, planId);
  };

  /**
   * Writing forms only for those who may save them (policy.authoriseWrite): an approver who typed into
   * one lost it all on save. Undefined when the person may write.
   */
  const notAnAuthor = (c: Context<WebEnv>, owningOrg: string, back?: string) => {
    const may = authoriseWrite(c.var.actor!, owningOrg, 'author');
    return may.ok
      ? undefined
      : refusalPage(c, { ...may, detail: 'writing and changing plans is for authors: approvers review what authors send them' }, back);
  };

  const editPage = (
    c: Context<WebEnv>,
    p: ConsolePlan,
    section: Section,
    values: FormValues,
    errors: ReturnType<typeof fieldErrors> = [],
    saved = false,
  ) => {
    const next = sections[sections.indexOf(section) + 1]?.key;
    const record = applySection(section, values, p.record as unknown as Record<string, unknown>);
    const r = readability((record.plan ?? {}) as Parameters<typeof readability>[0], warnAt);
    const states = taskStates(p.record, r.summary.overLimit);
    return page(
      c,
      <EditSectionPage
        who={consoleWho(c)}
        plan={headingOf(p)}
        section={section}
        values={values}
        errors={errors}
        readability={r}
        saved={saved}
        action={`/manage/plans/${p.planId}/edit?section=${section.key}`}
        next={next}
        states={states}
        located={section.key === 'places' ? located(p.record.locations) : undefined}
      />,
      errors.length ? 400 : 200,
    );
  };

  return new Hono<WebEnv>()
    .get('/manage', ...guard.read('search'), async (c) => {
      const query = homeQuerySchema.safeParse({ q: c.req.query('q'), filter: c.req.query('filter') || undefined });
      const q = query.success ? query.data : { q: '', filter: 'all' as const };
      const home = await authorHome(db, c.var.actor!, q, clock());
      if (!home.ok) return refusalPage(c, home);
      c.set('access', {
        planId: null,
        query: { console: q.filter, q: q.q || undefined },
        resultPlanIds: home.value.items.map((i) => i.planId),
      });
      const error = query.success ? undefined : `Search ${query.error.issues[0]!.message}.`;
      return page(
        c,
        <ManageHomePage who={consoleWho(c)} {...q} {...home.value} error={error} notice={c.req.query('done') ? 'Done.' : undefined} />,
        error ? 400 : 200,
      );
    })
    .get(
      '/manage/plans/new',
      ...guard.write,
      (c) =>
        notAnAuthor(c, c.var.actor!.org) ??
        page(c, <EditSectionPage who={consoleWho(c)} section={newPlanSection} values={{}} errors={[]} action="/manage/plans/new" />),
    )
    .post('/manage/plans/new', ...guard.write, async (c) => {
      const form = await c.req.parseBody();
      const values = readPost(newPlanSection, form);
      const body = applySection(newPlanSection, values, { subject: {}, locations: [], plan: {}, governance: {} });
      const parsed = createPlanBodySchema.safeParse(body);
      const again = (errors: ReturnType<typeof fieldErrors>) =>
        page(
          c,
          <EditSectionPage
            who={consoleWho(c)}
            section={newPlanSection}
            values={values}
            errors={errors}
            readability={readability((body.plan ?? {}) as never, warnAt)}
            action="/manage/plans/new"
          />,
          400,
        );
      if (!parsed.success) return again(fieldErrors(newPlanSection, parsed.error.issues));
      const made = await createPlan(db, c.var.actor!, parsed.data, clock());
      if (!made.ok) {
        if (reasonOf(made) === 'external-ref-taken')
          return again([
            {
              field: 'externalRef',
              anchor: 'externalRef',
              message: `Your trust already has a plan with the reference ${parsed.data.externalRef}`,
            },
          ]);
        return refusalPage(c, made);
      }
      return c.redirect(`/manage/plans/${made.value.planId}/edit?section=person&saved=1`, 303);
    })
    .get('/manage/plans/:planId', ...guard.read('view'), async (c) => {
      const p = await load(c);
      if (!p.ok) return refusalPage(c, p);
      c.set('access', { planId: p.value.planId, versionId: p.value.latest.id, query: { console: 'plan' } });
      const a = c.var.actor!;
      const may = actionsOn(c, p.value);
      const notices: Record<string, string> = {
        submitted: 'Sent for review. An approver will see it in their queue.',
        published: 'Published. Responders now see this version.',
        withdrawn: 'Withdrawn. Responders are told the plan was withdrawn and who to contact.',
      };
      const notice = notices[c.req.query('done') ?? ''];
      // The person's copy only for those its rule allows (authors of the owning trust): the domain refuses the rest.
      const copies = await personCopyStatus(db, a, p.value.planId);
      const personCopy = copies.ok
        ? {
            holds: copies.value.holds && { ...copies.value.holds, pdf: personCopyPdfPath(p.value.planId, copies.value.holds.copyId) },
            current: copies.value.current?.version,
            outOfDate: copies.value.outOfDate,
            justPrinted: c.req.query('done') === 'copy',
          }
        : undefined;
      return page(
        c,
        <PlanOverviewPage
          who={consoleWho(c)}
          plan={headingOf(p.value)}
          readability={readability(p.value.record.plan, warnAt)}
          currentVersion={p.value.current?.version ?? null}
          canEdit={may.edit}
          canSubmit={may.submit}
          canStartDraft={may.startDraft}
          canReview={may.review}
          canWithdraw={may.withdraw}
          canCards={may.cards}
          notice={notice}
          personCopy={personCopy}
        />,
      );
    })
    .get('/manage/plans/:planId/preview', ...guard.read('view'), async (c) => {
      const p = await load(c);
      if (!p.ok) return refusalPage(c, p);
      const as = previewQuerySchema.safeParse(c.req.query('as'));
      if (!as.success)
        return refusalPage(
          c,
          { ok: false, code: 'invalid', detail: `"as" ${as.error.issues[0]!.message}` },
          `/manage/plans/${p.value.planId}`,
        );
      const v = p.value.latest;
      c.set('access', { planId: p.value.planId, versionId: v.id, query: { console: 'preview', as: as.data } });
      return page(
        c,
        <PlanPreviewPage
          who={consoleWho(c)}
          plan={headingOf(p.value)}
          view={previewFor(v, as.data)}
          as={as.data}
          reviewBy={v.reviewBy}
          canSubmit={actionsOn(c, p.value).submit}
        />,
      );
    })
    .get('/manage/plans/:planId/edit', ...guard.read('view'), async (c) => {
      const p = await load(c);
      if (!p.ok) return refusalPage(c, p);
      const refused = notAnAuthor(c, p.value.owningOrg, `/manage/plans/${p.value.planId}`);
      if (refused) return refused;
      const draft = openDraftOf(p.value);
      if (!draft.ok) return c.redirect(`/manage/plans/${p.value.planId}`, 303);
      c.set('access', { planId: p.value.planId, versionId: draft.value.id, query: { console: 'edit' } });
      const section = sectionByKey(c.req.query('section')) ?? sections[0]!;
      return editPage(c, p.value, section, valuesOf(section, p.value.record), [], c.req.query('saved') === '1');
    })
    .post('/manage/plans/:planId/edit', ...guard.write, async (c) => {
      const p = await load(c);
      if (!p.ok) return refusalPage(c, p);
      const section = sectionByKey(c.req.query('section'));
      if (!section)
        return refusalPage(c, { ok: false, code: 'not_found', detail: 'no such section of the plan' }, `/manage/plans/${p.value.planId}`);
      const form = await c.req.parseBody();
      const values = readPost(section, form);
      const rows = rowAction(section, form, values);
      if (rows) return editPage(c, p.value, section, rows);
      const draft = openDraftOf(p.value);
      if (!draft.ok) return refusalPage(c, draft, `/manage/plans/${p.value.planId}`);
      const placed = placesTyped(values);
      const record = applySection(section, placed.values, {
        ...(p.value.record as unknown as Record<string, unknown>),
        changeSummary: p.value.latest.changeSummary ?? undefined,
      });
      const parsed = draftBodySchema.safeParse(record);
      // A place the service does not know is the one thing to fix on its row: not also "latitude must be a number".
      const unknownRows = placed.errors.map((e) => e.field.replace(/label$/, ''));
      const errors = [
        ...placed.errors,
        ...(parsed.success ? [] : fieldErrors(section, parsed.error.issues).filter((e) => !unknownRows.some((r) => e.field.startsWith(r)))),
      ];
      if (!parsed.success || errors.length) return editPage(c, p.value, section, values, errors);
      const saved = await editDraft(db, c.var.actor!, { planId: p.value.planId, version: draft.value.version }, parsed.data, clock());
      if (!saved.ok) return refusalPage(c, saved, `/manage/plans/${p.value.planId}`);
      const next = sectionByKey(typeof form.save === 'string' ? form.save : undefined);
      return c.redirect(`/manage/plans/${p.value.planId}/edit?section=${(next ?? section).key}&saved=1`, 303);
    })
    .post('/manage/plans/:planId/drafts', ...guard.write, async (c) => {
      const planId = c.req.param('planId');
      const made = await createDraft(db, c.var.actor!, planId, undefined, clock());
      if (!made.ok) return refusalPage(c, made, `/manage/plans/${planId}`);
      return c.redirect(`/manage/plans/${planId}/edit?section=summary`, 303);
    })
    .post('/manage/plans/:planId/submit', ...guard.write, async (c) => {
      const p = await load(c);
      if (!p.ok) return refusalPage(c, p);
      const sent = await submitForReview(db, c.var.actor!, { planId: p.value.planId, version: p.value.latest.version }, clock());
      if (!sent.ok) return refusalPage(c, sent, `/manage/plans/${p.value.planId}`);
      return c.redirect(`/manage/plans/${p.value.planId}?done=submitted`, 303);
    });
}
