import type { Db } from '../../../db/index.js';
import { authoriseRead, type ReadGrant, type ReadOptions } from '../policy.js';
import type { Actor } from '../core/actor.js';
import { contentForAudience } from '../core/audience.js';
import { BoundedMap } from '../core/bounded-map.js';
import { z } from 'zod';
import {
  isoDate,
  lawfulBases,
  locationSchema,
  planContentSchema,
  planIdSchema,
  sectionKeys,
  subjectSchema,
  type SectionKey,
} from '../core/content.js';
import { agreementQueries, cachedAgreements } from '../organisations.js';
import { createReadCache } from './read-cache.js';
import { fail, ok, type Result } from '../core/result.js';
import { readPathStatements, type PlanPointer, type VersionRow } from './store.js';

/** Also the answer for a plan looked up by reference that the caller may not read (policy.ts). */
export const NO_SUCH_PLAN = 'no such plan';

export const ADVICE_NOTICE = 'This plan is advice, not an instruction. Use your own judgement and duty of care; it does not replace them.';

/**
 * What a responder is shown: the response schema of the plan read (documented in /openapi.json, checked
 * against real answers in the tests, never parsed on the hot path) and, inferred from it, the type.
 */
export const planViewSchema = z
  .strictObject({
    planId: planIdSchema,
    externalRef: z.string(),
    owningOrg: z.strictObject({ slug: z.string(), name: z.string() }),
    version: z.number().int().min(1),
    versionId: z.number().int(),
    publishedAt: z.string(),
    reviewBy: isoDate,
    /** The review-by date has passed: still shown, clearly flagged. */
    stale: z.boolean(),
    subject: subjectSchema,
    locations: z.array(locationSchema),
    /** Only the sections this reader's organisation kind may see (audience.ts). */
    content: planContentSchema.partial(),
    withheldSections: z.array(z.enum(sectionKeys as [SectionKey, ...SectionKey[]])),
    governance: z.strictObject({ coProduced: z.boolean(), agreedBySubjectOn: isoDate.optional(), lawfulBasis: z.enum(lawfulBases) }),
    notice: z.string(),
  })
  .meta({ id: 'PlanView' });
export type PlanView = z.output<typeof planViewSchema>;

export type ReadOutcome = { view: PlanView; grant: ReadGrant };

function buildView(
  pointer: PlanPointer,
  ownerName: string,
  v: VersionRow,
  kind: Actor['orgKind'],
  careTeamView: boolean,
  day: string,
): PlanView {
  const { content, withheldSections } = contentForAudience(v.content, kind, { careTeamView });
  return {
    planId: pointer.id,
    externalRef: pointer.externalRef,
    owningOrg: { slug: pointer.owningOrg, name: ownerName },
    version: v.version,
    versionId: v.id,
    publishedAt: v.publishedAt!,
    reviewBy: v.reviewBy,
    stale: v.reviewBy < day,
    subject: v.subject,
    locations: v.locations,
    content,
    withheldSections,
    governance: {
      coProduced: v.governance.coProduced,
      agreedBySubjectOn: v.governance.agreedBySubjectOn,
      lawfulBasis: v.governance.lawfulBasis,
    },
    notice: ADVICE_NOTICE,
  };
}

/**
 * The responder read path. Published versions never change, so they are cached by version id. The plan's
 * current-version pointer, its owner and the agreement check are cached too, but only until any plan,
 * organisation or agreement changes in any process (read-cache.ts), so a publish or a withdrawal is
 * visible at once and authorisation is still decided per plan, per request.
 */
export function createPlanReader(db: Db) {
  const cache = createReadCache(db);
  const agreements = cachedAgreements(agreementQueries(db), cache);
  const statements = readPathStatements(db);
  // Keyed by what was asked; a miss (no such plan) is remembered too, until the next change.
  const pointers = cache.map<string, PlanPointer | undefined>(20_000);
  async function pointer(key: string, load: () => Promise<PlanPointer | undefined>): Promise<PlanPointer | undefined> {
    await cache.validate();
    return pointers.getOrLoad(key, load);
  }
  // Versions are only read to build views, which are cached themselves; a small cache covers a plan
  // seen by several audiences. At 5,000 parsed versions the bench service ended ~100 MB larger (394 vs
  // 287 MB RSS after load) with no more throughput.
  const versionCache = new BoundedMap<number, VersionRow>(500);
  // The responder's view is a pure function of (version, audience, care-team view, day): cache it so the
  // hot path builds and serialises it once, not per request (routes may memoise the JSON by identity).
  // One entry per plan and kind of viewer: sized for 10,000 plans read by two kinds of responder. Below
  // the working set a FIFO bound evicts every entry before its reuse (measured: 3.2k rps instead of 9k+).
  const viewCache = new BoundedMap<string, PlanView>(25_000);

  async function publishedVersion(id: number): Promise<VersionRow | undefined> {
    const hit = versionCache.get(id);
    if (hit) return hit;
    const row = await statements.versionById(id);
    if (!row) return undefined;
    versionCache.set(id, row);
    return row;
  }

  async function read(actor: Actor, pointer: PlanPointer | undefined, day: string, options?: ReadOptions): Promise<Result<ReadOutcome>> {
    if (!pointer) return fail('not_found', NO_SUCH_PLAN);
    const grant = await authoriseRead(actor, pointer.owningOrg, day, agreements, options);
    if (!grant.ok) return { ...grant, extra: { ...grant.extra, planId: pointer.id } };
    const owner = (await agreements.organisation(pointer.owningOrg))!;
    if (pointer.currentVersionId === null) {
      return pointer.withdrawnAt
        ? fail('gone', `this plan was withdrawn by ${owner.name}`, { planId: pointer.id, contact: owner.contact, owningOrg: owner.name })
        : fail('not_found', 'this plan has not been published yet', { planId: pointer.id });
    }
    const careTeamView = actor.org === pointer.owningOrg;
    const key = `${pointer.currentVersionId}|${actor.orgKind}|${careTeamView ? 1 : 0}|${day}|${pointer.externalRef}|${owner.name}`;
    let view = viewCache.get(key);
    if (!view) {
      const v = await publishedVersion(pointer.currentVersionId);
      if (!v) throw new Error(`plan ${pointer.id} points at missing version ${pointer.currentVersionId}`);
      view = buildView(pointer, owner.name, v, actor.orgKind, careTeamView, day);
      viewCache.set(key, view);
    }
    return ok({ grant: grant.value, view });
  }

  return {
    agreements,
    byId: async (actor: Actor, planId: string, day: string, options?: ReadOptions) =>
      read(actor, await pointer(`id|${planId}`, () => statements.pointerById(planId)), day, options),
    byExternalRef: async (actor: Actor, owningOrg: string, externalRef: string, day: string, options?: ReadOptions) =>
      read(actor, await pointer(`ref|${owningOrg}|${externalRef}`, () => statements.pointerByRef(owningOrg, externalRef)), day, options),
  };
}
export type PlanReader = ReturnType<typeof createPlanReader>;
