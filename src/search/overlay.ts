import type { SearchDoc } from './document.js';

/**
 * What the outbox worker tells searches while Meilisearch catches up: the documents it is sending (a
 * one-plan index update takes Meilisearch ~0.1–0.2 s here, with spikes past 1.5 s), and write failures.
 * Created before both the worker and the search service and handed to each, so neither wires the other.
 */
export function createIndexFeed() {
  /** Sent but not yet confirmed: the document, or null for a removal. */
  const unconfirmed = new Map<string, SearchDoc | null>();
  const failureListeners = new Set<() => void>();
  return {
    /** The worker is sending these to Meilisearch (documents to add, plan ids to remove). */
    sending(upserts: SearchDoc[], removals: string[]) {
      for (const d of upserts) unconfirmed.set(d.id, d);
      for (const id of removals) unconfirmed.set(id, null);
    },
    /** Meilisearch has applied them; an entry replaced by a later change in the meantime stays. */
    confirmed(upserts: SearchDoc[], removals: string[]) {
      for (const d of upserts) if (unconfirmed.get(d.id) === d) unconfirmed.delete(d.id);
      for (const id of removals) if (unconfirmed.get(id) === null) unconfirmed.delete(id);
    },
    /** A Meilisearch write failed: searches should stop waiting on it. */
    meiliFailed() {
      for (const l of failureListeners) l();
    },
    onMeiliFailure(l: () => void) {
      failureListeners.add(l);
    },
    /**
     * Meilisearch's answer with its stale copies of unconfirmed plans swapped for the current ones, under
     * the same scope and date-of-birth filters it applies (the place is checked when ranking), so a
     * publish is findable, and a withdrawal gone, as soon as the worker has seen it.
     */
    overlay(docs: SearchDoc[], owners: readonly string[], dob: ((d: SearchDoc) => boolean) | undefined): SearchDoc[] {
      if (!unconfirmed.size) return docs;
      const current = docs.filter((d) => !unconfirmed.has(d.id));
      for (const doc of unconfirmed.values()) {
        if (doc && owners.includes(doc.owningOrg) && (!dob || dob(doc))) current.push(doc);
      }
      return current;
    },
  };
}
export type IndexFeed = ReturnType<typeof createIndexFeed>;
