import { z } from 'zod';
import { versionStatuses } from '../../../../../db/schema/plans.js';
import type { Store } from '../../../../../db/runtime.js';
import { findVersion } from '../../../../plans/versions/store.js';
import type { VersionRef } from '../../../../plans/versions/workflow.js';

/** Where a version lives in the API, for Location headers and links. */
export const links = (r: VersionRef) => ({
  plan: `/api/v1/plans/${r.planId}`,
  version: `/api/v1/plans/${r.planId}/versions/${r.version}`,
});

/** What every workflow operation answers: the version, its status now, and its links. */
export const versionAnswer = async (db: Store, r: VersionRef) => {
  const v = (await findVersion(db, r.planId, r.version))!;
  return { ...r, status: v.status, contentHash: v.contentHash, links: links(r) };
};

export const refOf = (p: { planId: string; version: number }): VersionRef => ({ planId: p.planId, version: p.version });

/** The answer of every workflow operation (versionAnswer). */
export const versionAnswerSchema = z
  .strictObject({
    planId: z.string(),
    version: z.number().int().min(1),
    status: z.enum(versionStatuses),
    /** sha256 of the version's canonical content, as an approval must name it. */
    contentHash: z.string(),
    links: z.strictObject({ plan: z.string(), version: z.string() }),
  })
  .meta({ id: 'VersionAnswer' });
