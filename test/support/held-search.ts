import type { SearchService } from '../../src/search/service.js';

/**
 * A real search service whose next search can be held at its start (then run as usual): the only way for a
 * test to know what is in flight when it asks a node to shed (server/guards/search-admission.ts).
 */
export function holdable(service: SearchService) {
  let hold: { entered: () => void; until: Promise<void> } | undefined;
  const held: SearchService = {
    ...service,
    async search(...args) {
      const h = hold;
      hold = undefined;
      if (h) {
        h.entered();
        await h.until;
      }
      return service.search(...args);
    },
  };
  return {
    held,
    /** The next search stops at its start: `entered` once it has (holding its slot), until `release()`. */
    holdNext() {
      let release!: () => void;
      let entered!: () => void;
      const until = new Promise<void>((r) => (release = r));
      const reached = new Promise<void>((r) => (entered = r));
      hold = { entered, until };
      return { entered: reached, release };
    },
  };
}
