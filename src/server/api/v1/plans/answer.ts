import type { Db } from '../../../../../db/index.js';
import { findVersion } from '../../../../plans/versions/store.js';
import type { VersionRef } from '../../../../plans/versions/workflow.js';

/** Where a version lives in the API, for Location headers and links. */
export const links = (r: VersionRef) => ({
  plan: `/api/v1/plans/${r.planId}`,
  version: `/api/v1/plans/${r.planId}/versions/${r.version}`,
});

/** What every workflow operation answers: the version, its status now, and its links. */
export const versionAnswer = (db: Db, r: VersionRef) => ({ ...r, status: findVersion(db, r.planId, r.version)!.status, links: links(r) });

export const refOf = (p: { planId: string; version: number }): VersionRef => ({ planId: p.planId, version: p.version });
