import type { Store } from '../../db/runtime.js';
import type { Logger } from '../logger.js';
import type { SearchDoc } from './document.js';
import { nameKeys } from './normalise.js';
import type { CandidateFilter, FallbackStore } from './fallback.js';
import { cursors, entriesAfter, logBounds, UNBUILT } from './outbox-store.js';
import { TWO_TYPOS_FROM } from './meili-index.js';
import { editDistance } from './similarity.js';

/** The fallback's cursor (sync.ts FALLBACK; not imported from there: sync imports the feed this serves). */
const FALLBACK = 'fallback';
/** The same field weights as the fallback's bm25 (fallback-store.ts), so both choose the same candidates. */
const FIELDS = [
  ['names', 4],
  ['variants', 2],
  ['phonetic', 1],
  ['places', 1],
] as const;
/**
 * A word that is someone's family name counts for more than the same word as someone else's given name
 * (as Meilisearch ranks a word at the start of `names`, where the family name is: document.ts), so a
 * common name typed alone, or beside a misheard one, finds the family first ("ADEBAYO Momag": the
 * Adebayos, not Adebayo Price and Adebayo Turner).
 */
const FAMILY_BONUS = 2;
/** A prefix typed last expands to at most this many keys (the commonest first would need counts; any will do). */
const PREFIX_KEYS = 64;
const BATCH = 500;
/** As Meilisearch's settings (meili-index.ts): names of four letters and more forgive one typo. */
const TYPO_FROM = 4;
/** A name found by one typo counts for this much of the name itself. */
const TYPO_WEIGHT = 0.5;
/** How many of each typed word's own bearers are candidates whatever the other words match (as each of Meilisearch's second-stage rotations did). */
const OWN_BEARERS = 20;
/** Everyone on a full date of birth given, up to this many, is a candidate too. */
const DATED = 80;

/**
 * What a search asks the keys for. The typed words weigh most; their sound codes and first-letter keys,
 * names one typo away and names the last word begins, less. Nicknames and spellings are not asked for:
 * documents hold those of their given names (`variants`), as Meilisearch matches them, so a typed word
 * meets them there; asked for, Adebayo's nickname Bayo lifted every given-name Adebayo called Bayo over
 * the family-name ones. Other spellings are asked for (a family name has those too, and no document holds
 * them for it). The weights only choose the
 * candidates: the ranker (rank.ts) orders them.
 */
export type KeyTerms = {
  /** The words as typed (folded): their own bearers are always candidates, and names one typo away are keys too. */
  typed: string[];
  /** Other spellings of the typed words (Levandovski: Lewandowski), which family names have too. */
  spellings?: string[];
  sounds?: string[];
  prefix?: string;
};
const SOUNDS_WEIGHT = 0.4;
const SPELLING_WEIGHT = 0.6;

/** The word less one letter, each way (a typo's neighbourhood: SymSpell's deletions, distance 1). */
const deletions = (w: string) => {
  const out = new Set<string>();
  for (let i = 0; i < w.length; i++) out.add(w.slice(0, i) + w.slice(i + 1));
  return out;
};

export type KeyIndexOptions = {
  db: Store;
  fallback: FallbackStore;
  logger: Logger;
  /** How often the database's copy is looked at for changes made on any node. */
  pollMs?: number;
};

/**
 * The name keys of every indexed plan, in this process: the same keys, filters and bm25 weights as the
 * fallback in the database (names, nicknames and spellings, sound codes, first-letter keys, places), so
 * a search whose words are held as keys is answered without asking Meilisearch at all (most are: a name
 * typed right, a surname, a nickname). Meilisearch is asked only when these cannot settle a search: for
 * typos, which is what it is best at. Also the exact count of plans holding each key (rarity weights).
 *
 * It is a mirror of the database's copy (`search_fallback`), which every node's worker keeps current in
 * the same transaction as the fallback's cursor: loaded at start (10,000 plans: a few hundred ms; no
 * rebuild, however long the node was down), then changed by the entries of the change log between the
 * cursor it last saw and the cursor now. A change made here is seen at once (`refresh` after the worker
 * has staged it); one made on another node within `pollMs`.
 */
export function createKeyIndex(opts: KeyIndexOptions) {
  const { db, fallback, logger } = opts;
  const after = entriesAfter(db);
  const slots: (SearchDoc | undefined)[] = [];
  const slotOf = new Map<string, number>();
  const free: number[] = [];
  /**
   * key → the slots of the plans holding it, and the weight each holds it with (the field weights of the
   * fields holding it, summed). Arrays, not a Map per key: a search walks thousands of entries, and a
   * Map's iterator was most of a search's time in here; a change (a publish) finds its entry by scanning.
   */
  const postings = new Map<string, { slots: number[]; weights: number[] }>();
  const byDob = new Map<string, Set<number>>();
  /** Each slot's organisation as a small number, so the scope check in a search's inner loop is an index. */
  const orgIds = new Map<string, number>();
  const orgOf: number[] = [];
  /** How many plans hold each name key (names only: Meilisearch forgives typos in names, not in the derived keys). */
  const nameCount = new Map<string, number>();
  /** A name less one letter → the names it comes from: finds the names one typo from a word. */
  const near = new Map<string, Set<string>>();
  let sorted: string[] | undefined;
  let scores = new Float64Array(0);
  let position = UNBUILT;
  let loaded = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  function keysOf(doc: SearchDoc) {
    const keys = new Map<string, number>();
    for (const [field, w] of FIELDS) for (const k of doc[field].split(' ')) if (k) keys.set(k, (keys.get(k) ?? 0) + w);
    for (const k of nameKeys(doc.familyName)) if (keys.has(k)) keys.set(k, keys.get(k)! + FAMILY_BONUS);
    return keys;
  }

  const nameWords = (doc: SearchDoc) => new Set(doc.names.split(' ').filter(Boolean));

  /**
   * Names one typo (an edit, or two neighbours swapped) from the word, other than those given; two from
   * TWO_TYPOS_FROM letters, as Meilisearch allows ("choudhury": Chaudhry).
   */
  function typos(word: string, skip: Set<string>) {
    if (word.length < TYPO_FROM) return [];
    const max = word.length >= TWO_TYPOS_FROM ? 2 : 1;
    const found = new Set<string>();
    const consider = (k: string) => {
      if (!skip.has(k) && !found.has(k) && nameCount.has(k) && editDistance(word, k, max) <= max) found.add(k);
    };
    for (const k of near.get(word) ?? []) consider(k);
    for (const d of deletions(word)) {
      consider(d);
      for (const k of near.get(d) ?? []) consider(k);
      if (max === 2) for (const dd of deletions(d)) for (const k of near.get(dd) ?? []) consider(k);
    }
    return [...found];
  }

  function drop(id: string) {
    const slot = slotOf.get(id);
    if (slot === undefined) return;
    const doc = slots[slot]!;
    for (const k of keysOf(doc).keys()) {
      const p = postings.get(k)!;
      const i = p.slots.indexOf(slot);
      p.slots[i] = p.slots.at(-1)!;
      p.weights[i] = p.weights.at(-1)!;
      p.slots.pop();
      p.weights.pop();
      if (!p.slots.length) {
        postings.delete(k);
        sorted = undefined;
      }
    }
    for (const k of nameWords(doc)) {
      const c = nameCount.get(k)! - 1;
      if (c) nameCount.set(k, c);
      else {
        nameCount.delete(k);
        for (const d of deletions(k)) {
          const ks = near.get(d);
          ks?.delete(k);
          if (ks && !ks.size) near.delete(d);
        }
      }
    }
    const d = byDob.get(doc.dateOfBirth)!;
    d.delete(slot);
    if (!d.size) byDob.delete(doc.dateOfBirth);
    slots[slot] = undefined;
    slotOf.delete(id);
    free.push(slot);
  }

  function put(doc: SearchDoc) {
    drop(doc.id);
    const slot = free.pop() ?? slots.length;
    slots[slot] = doc;
    slotOf.set(doc.id, slot);
    let org = orgIds.get(doc.owningOrg);
    if (org === undefined) orgIds.set(doc.owningOrg, (org = orgIds.size));
    orgOf[slot] = org;
    for (const [k, w] of keysOf(doc)) {
      let p = postings.get(k);
      if (!p) {
        postings.set(k, (p = { slots: [], weights: [] }));
        sorted = undefined;
      }
      p.slots.push(slot);
      p.weights.push(w);
    }
    for (const k of nameWords(doc)) {
      const c = nameCount.get(k) ?? 0;
      nameCount.set(k, c + 1);
      if (c || k.length < TYPO_FROM) continue;
      for (const d of deletions(k)) {
        let ks = near.get(d);
        if (!ks) near.set(d, (ks = new Set()));
        ks.add(k);
      }
    }
    let d = byDob.get(doc.dateOfBirth);
    if (!d) byDob.set(doc.dateOfBirth, (d = new Set()));
    d.add(slot);
  }

  const fallbackAt = async () => (await cursors(db, [FALLBACK]))[0]?.position ?? UNBUILT;

  /** Everything again, from the cursor as read before the rows (rows newer than it are only newer). */
  async function load() {
    const at = await fallbackAt();
    if (at === UNBUILT) return false;
    const docs = await fallback.all();
    slots.length = 0;
    slotOf.clear();
    free.length = 0;
    postings.clear();
    byDob.clear();
    nameCount.clear();
    near.clear();
    sorted = undefined;
    for (const doc of docs) put(doc);
    position = at;
    return true;
  }

  /** The plans of entries between the last cursor seen and the cursor now, as the database holds them. */
  async function catchUp() {
    const at = await fallbackAt();
    if (at === UNBUILT || at < position || (await logBounds(db)).floor > position) return load();
    while (position < at) {
      const entries = await after(position, BATCH);
      const upTo = entries.filter((e) => e.id <= at);
      if (!upTo.length) break;
      const ids = [...new Set(upTo.map((e) => e.planId))];
      const docs = await fallback.docsOf(ids);
      const present = new Set(docs.map((d) => d.id));
      for (const id of ids) if (!present.has(id)) drop(id);
      for (const doc of docs) put(doc);
      position = upTo.at(-1)!.id;
      if (upTo.length < entries.length) break;
    }
    position = Math.max(position, at);
    return true;
  }

  let running: Promise<void> | undefined;
  let again: Promise<void> | undefined;
  /** One pass at a time; a caller arriving during one gets the next, which starts after its change. */
  function refresh(): Promise<void> {
    if (running) return (again ??= running.then(() => ((again = undefined), refresh())));
    running = (async () => {
      try {
        loaded = loaded ? await catchUp() : await load();
      } catch (e) {
        logger.warn({ err: (e as Error).name }, 'in-process search keys could not be refreshed; retrying');
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void refresh().finally(schedule), opts.pollMs ?? 200);
    timer.unref();
  };

  /** The filter as a test of a slot: the scope by organisation number, then the dates if any. */
  function passes(filter: CandidateFilter, where?: (doc: SearchDoc) => boolean) {
    const inScope = new Uint8Array(orgIds.size);
    for (const o of filter.owners) {
      const id = orgIds.get(o);
      if (id !== undefined) inScope[id] = 1;
    }
    const { dob } = filter;
    const anyOf = filter.dobAnyOf?.length ? new Set(filter.dobAnyOf) : undefined;
    const width = filter.dobAnyOf?.[0]?.length ?? 10;
    if (!dob && !anyOf && !where) return (slot: number) => inScope[orgOf[slot]!] === 1;
    return (slot: number) => {
      if (inScope[orgOf[slot]!] !== 1) return false;
      const doc = slots[slot]!;
      return (!dob || doc.dateOfBirth.startsWith(dob)) && (!anyOf || anyOf.has(doc.dateOfBirth.slice(0, width))) && (!where || where(doc));
    };
  }

  function prefixKeys(prefix: string, skip: Set<string>) {
    sorted ??= [...postings.keys()].sort();
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < sorted.length && out.length < PREFIX_KEYS && sorted[i]!.startsWith(prefix); i++)
      if (!skip.has(sorted[i]!)) out.push(sorted[i]!);
    return out;
  }

  const fullDates = (filter: CandidateFilter) =>
    filter.dob?.length === 10 ? [filter.dob] : filter.dobAnyOf?.[0]?.length === 10 ? filter.dobAnyOf : undefined;

  /** Without a name: every plan the filter leaves, in the order they were indexed (as the fallback does). */
  function everyone(pass: (slot: number) => boolean, filter: CandidateFilter, limit: number) {
    const dates = fullDates(filter);
    const from = dates ? dates.flatMap((d) => [...(byDob.get(d) ?? [])]).sort((a, b) => a - b) : slots.keys();
    const out: SearchDoc[] = [];
    for (const slot of from) {
      const doc = slots[slot];
      if (doc && pass(slot)) out.push(doc);
      if (out.length >= limit) break;
    }
    return out;
  }

  return {
    /**
     * Loads the keys if the fallback has been built (resolves then), and follows it from then on; until
     * it has been built, every poll tries again (searches use the other sources meanwhile).
     */
    async start() {
      stopped = false;
      await refresh();
      schedule();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    ready: () => loaded,
    /** Looks at the database's copy now (after a change staged here: searches here then see it). */
    refresh,
    size: () => slotOf.size,
    /** In how many indexed plans the key occurs. */
    frequency: (key: string) => postings.get(key)?.slots.length ?? 0,
    /** Whether any plan holds the word, a name one or two typos from it, or a name it begins. */
    covers: (word: string) => postings.has(word) || typos(word, new Set()).length > 0 || prefixKeys(word, new Set()).length > 0,
    /**
     * Plans holding any of the terms (or a key starting with `prefix`, or a name one typo from a `typed`
     * word), within the filter, best first by bm25's weight of each term (rarer terms count more, typos
     * half) over the fields holding it; with none of them, every plan the filter leaves.
     */
    candidates(terms: KeyTerms, filter: CandidateFilter, limit: number, where?: (doc: SearchDoc) => boolean): SearchDoc[] {
      if (!filter.owners.length) return [];
      const { typed, prefix } = terms;
      const weights = new Map<string, number>();
      const add = (ks: Iterable<string>, w: number) => {
        for (const k of ks) if ((weights.get(k) ?? 0) < w) weights.set(k, w);
      };
      add(typed, 1);
      add(terms.spellings ?? [], SPELLING_WEIGHT);
      add(terms.sounds ?? [], SOUNDS_WEIGHT);
      const given = new Set(weights.keys());
      const typosOf = new Map([...new Set(typed)].map((w) => [w, typos(w, given)]));
      for (const ks of typosOf.values()) add(ks, TYPO_WEIGHT);
      // Each word may be the start of a name (as Meilisearch's rotations put each word last, where it
      // prefix-matches: "vik williamms" finds Vikram Williams); the last from two letters, others from three.
      for (const w of new Set(typed)) if (w.length >= 3 && w !== prefix) add(prefixKeys(w, given), TYPO_WEIGHT);
      if (prefix && prefix.length >= 2) add(prefixKeys(prefix, given), TYPO_WEIGHT);
      const keys = [...weights];
      const pass = passes(filter, where);
      if (!keys.length) return everyone(pass, filter, limit);
      const n = slotOf.size;
      // Scores by slot in one reused array (a search touches a few thousand slots of the register): a
      // Map per search was most of this function's time and garbage.
      if (scores.length < slots.length) scores = new Float64Array(slots.length * 2);
      const touched: number[] = [];
      for (const [k, weight] of keys) {
        const p = postings.get(k);
        if (!p) continue;
        const df = p.slots.length;
        const idf = weight * Math.log(1 + (n - df + 0.5) / (df + 0.5));
        for (let i = 0; i < df; i++) {
          const slot = p.slots[i]!;
          const s = scores[slot]!;
          if (s < 0) continue;
          if (s === 0) {
            touched.push(slot);
            if (!pass(slot)) {
              scores[slot] = -1;
              continue;
            }
          }
          scores[slot] = s + idf * p.weights[i]!;
        }
      }
      const best = topSlots(touched, scores, limit);
      // Each word's own bearers are candidates, however common the name: a rare lookalike of another word
      // ("Morag" for "Momag") must not fill the page with Morags and leave out every Adebayo typed with it.
      const chosen = new Set(best);
      for (const w of new Set(typed)) {
        // A word nobody holds stands for the names one typo from it ("oyearan": Oyelaran).
        const own = postings.has(w) ? [w] : typosOf.get(w)!;
        const bearers = own.length === 1 ? postings.get(own[0]!)!.slots : [...new Set(own.flatMap((k) => postings.get(k)!.slots))];
        for (const slot of topSlots(bearers, scores, OWN_BEARERS)) if (!chosen.has(slot)) chosen.add(slot), best.push(slot);
      }
      for (const slot of touched) scores[slot] = 0;
      const docs = best.map((slot) => slots[slot]!);
      // A full date (or the dates one slip from it) leaves a few dozen people: all are candidates, so
      // one whose name was heard as nothing any key holds is still weighed by the ranker.
      if (fullDates(filter)) for (const d of everyone(pass, filter, DATED)) if (!chosen.has(slotOf.get(d.id)!)) docs.push(d);
      return docs;
    },
  };
}
export type KeyIndex = ReturnType<typeof createKeyIndex>;

/**
 * The `limit` best-scored slots, best first (ties by slot: stable), without sorting all of them: a common
 * surname's sound code touches thousands. A bounded insertion into the kept few.
 */
function topSlots(touched: number[], scores: Float64Array, limit: number): number[] {
  const kept: number[] = [];
  const better = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && a < b);
  for (const slot of touched) {
    if (scores[slot]! <= 0) continue;
    if (kept.length === limit && !better(slot, kept[limit - 1]!)) continue;
    let i = Math.min(kept.length, limit - 1);
    if (kept.length < limit) kept.push(slot);
    while (i > 0 && better(slot, kept[i - 1]!)) {
      kept[i] = kept[i - 1]!;
      i--;
    }
    kept[i] = slot;
  }
  return kept;
}
