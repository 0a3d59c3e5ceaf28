import { randomUUID } from 'node:crypto';
import { Meilisearch, type Settings } from 'meilisearch';
import type { SearchDoc } from './document.js';
import { keepAliveHttpClient } from './http-client.js';

export const INDEX_UID = 'plans';

/**
 * Set deliberately, at every start-up, rather than left to defaults:
 * - searchable: folded names first, then nickname/variant expansions, phonetic codes, places.
 * - ranking: no proximity or sort; word order in a name does not matter, matched words and typos do.
 * - typos: allowed from 4 letters (default 5) on names and places only; never on phonetic codes or
 *   variant expansions, which are exact keys. Short names are covered by those keys instead.
 * - no facet search and proximity by attribute only: less to build on each publish (findable sooner).
 * - no synonyms: expansions are indexed with the document (Meilisearch gives synonyms no typo tolerance
 *   and large synonym lists slow every search).
 */
/**
 * From this many letters a query word may have two typos; a typo on the first letter counts as two, so
 * shorter words never match a name whose first letter differs (the ranker needs to know: rank.ts).
 */
export const TWO_TYPOS_FROM = 8;

export const indexSettings: Settings = {
  searchableAttributes: ['names', 'variants', 'phonetic', 'places'],
  displayedAttributes: ['*'],
  filterableAttributes: ['owningOrg', 'dobYear', 'dobMonth', 'dobDay', '_geo', 'geoLat', 'geoLng'],
  sortableAttributes: [],
  rankingRules: ['words', 'typo', 'attribute', 'exactness'],
  typoTolerance: {
    enabled: true,
    minWordSizeForTypos: { oneTypo: 4, twoTypos: TWO_TYPOS_FROM },
    disableOnAttributes: ['variants', 'phonetic'],
    disableOnNumbers: true,
  },
  synonyms: {},
  stopWords: [],
  proximityPrecision: 'byAttribute',
  pagination: { maxTotalHits: 500 },
  faceting: { maxValuesPerFacet: 10 },
  // No facet search UI uses these: skipping its structures makes each publish index faster.
  facetSearch: false,
};

/** What re-ranking and the response need; the expansion keys stay in the index (smaller, faster replies). */
const RETRIEVE = [
  'id',
  'externalRef',
  'owningOrg',
  'name',
  'givenNames',
  'familyName',
  'preferredName',
  'aliases',
  'dateOfBirth',
  'homeArea',
  'locations',
  'names',
  'places',
];

export type MeiliFilter = (string | string[])[];

export type MeiliQuery = {
  q: string;
  attributes: ('names' | 'variants' | 'phonetic' | 'places')[];
  limit: number;
  /** 'frequency' drops the commonest words first when nothing matches them all; 'last' drops from the end. */
  strategy: 'frequency' | 'last' | 'all';
};

/**
 * Meilisearch answered, and the write it was given failed (a task in state `failed`): unlike a refused
 * connection or a timeout, the documents may be at fault. Its message is not kept: it can quote them.
 */
export class MeiliTaskFailed extends Error {
  constructor(
    readonly what: string,
    /** Meilisearch's error code (`internal` for a lone surrogate, `invalid_document_geo_field`, …). */
    readonly code: string,
  ) {
    super(`${what} failed: ${code}`);
    this.name = 'MeiliTaskFailed';
  }
}

/** A one-document index apart from the plans: writing to it tells whether Meilisearch can write at all. */
const PROBE_UID = 'write-probe';

/** Holds the random identity of a Meilisearch this node manages: lost with its data, so a new index. */
const IDENTITY_UID = 'index-identity';

/** A Meilisearch connection for this service's one index, over kept-alive sockets. */
export function createMeiliIndex(opts: { url: string; key: string }) {
  const httpClient = keepAliveHttpClient(new URL(opts.url).origin);
  const client = new Meilisearch({
    host: opts.url,
    apiKey: opts.key,
    httpClient,
    defaultWaitOptions: { interval: 10, timeout: 30_000 },
  });
  const index = client.index<SearchDoc>(INDEX_UID);
  // The one request a search sends, built by hand (see http-client.ts postJson).
  const multiSearchPath = `${new URL(opts.url).pathname.replace(/\/$/, '')}/multi-search`;
  const searchHeaders = Object.freeze({ authorization: `Bearer ${opts.key}`, 'content-type': 'application/json' });

  return {
    client,
    async applySettings() {
      await client
        .createIndex(INDEX_UID, { primaryKey: 'id' })
        .waitTask()
        .catch(() => undefined);
      const task = await index.updateSettings(indexSettings).waitTask();
      if (task.status !== 'succeeded') throw new Error(`index settings failed: ${task.error?.code ?? task.status}`);
    },
    async upsert(docs: SearchDoc[]) {
      if (!docs.length) return;
      const task = await index.addDocuments(docs, { primaryKey: 'id' }).waitTask();
      if (task.status !== 'succeeded') throw new MeiliTaskFailed('indexing', task.error?.code ?? task.status);
    },
    /**
     * Whether Meilisearch can index a plain document now: after a failed write, this tells a document it
     * refuses (the probe succeeds) from a Meilisearch that cannot write (disk full, corrupt: it fails).
     */
    async canWrite(): Promise<boolean> {
      try {
        const task = await client
          .index(PROBE_UID)
          .addDocuments([{ id: 'probe', at: Date.now() }], { primaryKey: 'id' })
          .waitTask();
        return task.status === 'succeeded';
      } catch {
        return false;
      }
    },
    /** How many documents the index holds. */
    count: async () => (await index.getStats()).numberOfDocuments,
    /**
     * Who this index is, as the key of its cursor over the search change log (sync.ts). A shared (external)
     * index is its address and uid, so every node finds the same cursor; a node's own (managed) one carries
     * a random id kept inside it. Both add when the index was created: an index deleted and created again,
     * or a data directory lost, is a new index, and rebuilt.
     */
    async identity(shared: boolean): Promise<string> {
      const at = (await client.getRawIndex(INDEX_UID)).createdAt;
      if (shared) {
        const u = new URL(opts.url);
        return `meili:external:${u.origin}${u.pathname.replace(/\/$/, '')}#${INDEX_UID}@${at}`;
      }
      const ids = client.index<{ id: string; uid: string }>(IDENTITY_UID);
      let uid = await ids.getDocument('identity').then(
        (d) => d.uid,
        () => undefined,
      );
      if (!uid) {
        uid = randomUUID();
        const task = await ids.addDocuments([{ id: 'identity', uid }], { primaryKey: 'id' }).waitTask();
        if (task.status !== 'succeeded') throw new Error(`index identity not stored: ${task.error?.code ?? task.status}`);
      }
      return `meili:managed:${uid}#${INDEX_UID}@${at}`;
    },
    async remove(ids: string[]) {
      if (!ids.length) return;
      const task = await index.deleteDocuments(ids).waitTask();
      if (task.status !== 'succeeded') throw new Error(`delete failed: ${task.error?.code ?? task.status}`);
    },
    async clear() {
      await index.deleteAllDocuments().waitTask();
    },
    /** A hung Meilisearch must count as unhealthy too, so the check has its own short deadline. */
    async healthy(timeoutMs = 500): Promise<boolean> {
      try {
        await httpClient(new URL('/health', opts.url), { signal: AbortSignal.timeout(timeoutMs) });
        return true;
      } catch {
        // Behind a queue of searches (ours, under load) the check can wait past its deadline while the
        // engine answers them all: one that answered anything meanwhile is up.
        return performance.now() - httpClient.answeredAt() < timeoutMs;
      }
    },
    /** When the engine last answered any request (performance.now()). */
    answeredAt: () => httpClient.answeredAt(),
    /**
     * Several candidate queries in one round trip (multi-search); each comes back with its own hits so
     * the re-ranker sees the union. `signal` enforces the caller's time budget.
     */
    async candidates(queries: MeiliQuery[], filter: MeiliFilter, signal: AbortSignal) {
      const body = JSON.stringify({
        queries: queries.map((q) => ({
          indexUid: INDEX_UID,
          q: q.q,
          filter,
          limit: q.limit,
          attributesToSearchOn: q.attributes,
          matchingStrategy: q.strategy,
          attributesToRetrieve: RETRIEVE,
        })),
      });
      const res = (await httpClient.postJson(multiSearchPath, searchHeaders, body, signal)) as {
        results: { hits: unknown[]; processingTimeMs: number }[];
      };
      return {
        hits: res.results.flatMap((r) => r.hits as unknown as SearchDoc[]),
        /** Summed over the multi-search's queries: Meilisearch runs them one after another. */
        processingTimeMs: res.results.reduce((sum, r) => sum + r.processingTimeMs, 0),
      };
    },
    close: () => httpClient.destroy(),
  };
}
export type MeiliIndex = ReturnType<typeof createMeiliIndex>;
