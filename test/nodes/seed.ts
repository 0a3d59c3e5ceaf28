import { sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';

/** The plans a responder can read: every one with a published version, in a fixed order. */
export async function listPublishedPlanIds(db: Db): Promise<string[]> {
  const rows = await db.many<{ id: string }>(
    sql`SELECT id FROM plans WHERE current_version_id IS NOT NULL AND withdrawn_at IS NULL ORDER BY id`,
  );
  return rows.map((r) => r.id);
}
