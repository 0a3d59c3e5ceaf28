/**
 * `search-engine-lean`: what a plain Meilisearch user would build for a name lookup, as the yardstick
 * issue 24 sets search against. The same published plans as the service's index, in the same managed
 * Meilisearch (another index uid), with only the fields a plain lookup needs: the names as given, the
 * aliases, the date of birth in parts (to filter) and the places; default ranking and typo tolerance, no
 * derived keys. Built afresh by each run, so it always holds the plans the run searches.
 */
import { Meilisearch } from 'meilisearch';
import type { PlanLocation, Subject } from '../src/plans/core/content.js';
import { publishedIds, sourcesOf } from '../src/search/outbox-store.js';
import { openBenchStore } from './store.js';

export const LEAN_UID = 'bench-lean';

type LeanDoc = {
  id: string;
  givenNames: string;
  familyName: string;
  preferredName: string | null;
  aliases: string[];
  dobYear: number;
  dobMonth: number;
  dobDay: number;
  places: string[];
};

const parsed = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

export async function buildLeanIndex(
  engine: { url: string; key: string },
  dataDir: string,
  databaseUrl: string | undefined,
): Promise<number> {
  const db = await openBenchStore(dataDir, databaseUrl);
  let docs: LeanDoc[];
  try {
    const rows = await sourcesOf(db, await publishedIds(db));
    docs = rows.map((r) => {
      const s = parsed<Subject>(r.subject);
      const [y, m, d] = s.dateOfBirth.split('-').map(Number) as [number, number, number];
      return {
        id: r.id,
        givenNames: s.givenNames,
        familyName: s.familyName,
        preferredName: s.preferredName ?? null,
        aliases: s.aliases,
        dobYear: y,
        dobMonth: m,
        dobDay: d,
        places: [...parsed<PlanLocation[]>(r.locations).map((l) => l.label), ...(s.homeArea ? [s.homeArea] : [])],
      };
    });
  } finally {
    await db.close();
  }
  const client = new Meilisearch({ host: engine.url, apiKey: engine.key, defaultWaitOptions: { interval: 50, timeout: 120_000 } });
  await client.deleteIndex(LEAN_UID).waitTask();
  await client.createIndex(LEAN_UID, { primaryKey: 'id' }).waitTask();
  const index = client.index<LeanDoc>(LEAN_UID);
  const settings = await index
    .updateSettings({
      searchableAttributes: ['familyName', 'givenNames', 'preferredName', 'aliases', 'places'],
      filterableAttributes: ['dobYear', 'dobMonth', 'dobDay'],
    })
    .waitTask();
  if (settings.status !== 'succeeded') throw new Error(`bench: lean index settings failed: ${settings.error?.code ?? settings.status}`);
  const added = await index.addDocuments(docs).waitTask();
  if (added.status !== 'succeeded') throw new Error(`bench: lean index build failed: ${added.error?.code ?? added.status}`);
  return docs.length;
}
