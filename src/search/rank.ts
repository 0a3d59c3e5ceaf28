import type { SearchDoc } from './document.js';
import { TWO_TYPOS_FROM } from './meili-index.js';
import { nameKeys, words } from './normalise.js';
import { phoneticCodes } from './phonetic.js';
import { editDistance, jaroWinkler } from './similarity.js';
import type { VariantTable } from './variants.js';

/**
 * One query word as the ranker sees it, with its keys worked out once, and its match against each name
 * word once too: the candidates of one search share most of their names (forty Smiths), searches share
 * most of their words (names are common), and the similarity measures were a quarter of a search's CPU.
 * The matches depend on nothing but the two words (the name tables are fixed), so they are kept across
 * searches, a bounded number of them.
 */
export type QueryWord = {
  word: string;
  codes: string[];
  last: boolean;
  matches: Map<string, WordMatch | null>;
  /** The same, as a family name: without the nicknames and other languages' forms only given names have. */
  asFamily: Map<string, WordMatch | null>;
};

const kept = new Map<string, QueryWord>();
const KEPT_WORDS = 20_000;
const KEPT_MATCHES = 5_000;

export function queryWord(word: string, last: boolean): QueryWord {
  const key = `${last ? 1 : 0}${word}`;
  let q = kept.get(key);
  if (q) {
    if (q.matches.size > KEPT_MATCHES) q.matches.clear();
    if (q.asFamily.size > KEPT_MATCHES) q.asFamily.clear();
    return q;
  }
  if (kept.size > KEPT_WORDS) kept.clear();
  q = { word, codes: phoneticCodes(word), last, matches: new Map(), asFamily: new Map() };
  kept.set(key, q);
  return q;
}

/**
 * `loose`: matched only by a spelling or sound close to the name, not the name or a known form of it.
 * `given`: a nickname or the same name in another language, which a given name has and a family name
 * does not (Van is a nickname of Sullivan, not of the Van in Van der Berg); `family` in matchWord leaves
 * those relations out.
 */
type WordMatch = { score: number; docWord: string; reason: string; loose?: true; given?: true };

/** Below a typo of the name (≥ ~0.85), above a bare surname with the given name unexplained. */
const INITIAL = 0.8;
const INITIAL_WEIGHT = Math.log(27);

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** How well one query word matches one name word of the person, and why. */
function matchWord(q: QueryWord, w: string, wCodes: string[], table: VariantTable, family = false): WordMatch | undefined {
  if (q.word === w) return { score: 1, docWord: w, reason: '' };
  const found = table.get(q.word)?.get(w);
  const rel = family && found !== 'variant' ? undefined : found;
  if (rel === 'nickname') return { score: 0.93, docWord: w, reason: `nickname: ${cap(q.word)} → ${cap(w)}`, given: true };
  if (rel === 'variant') return { score: 0.94, docWord: w, reason: `spelling variant: ${cap(q.word)} → ${cap(w)}` };
  // Below a nickname, so the English name's own bearers come first; above most close spellings.
  if (rel === 'equivalent') {
    return { score: 0.9, docWord: w, reason: `same name in another language: ${cap(q.word)} → ${cap(w)}`, given: true };
  }
  const sounds = q.codes.some((c) => wCodes.includes(c));
  if (!sounds && Math.abs(q.word.length - w.length) > 3 && !w.startsWith(q.word)) return undefined;
  const jw = jaroWinkler(q.word, w);
  const ed = editDistance(q.word, w, 2);
  const typo = ed <= (w.length >= 8 ? 2 : 1) && w.length >= 3;
  if (typo || (sounds && jw >= 0.7) || jw >= 0.9) {
    const score = 0.55 + 0.35 * jw + (sounds ? 0.05 : 0) - (ed > 1 ? 0.04 : 0);
    const why = sounds && !typo ? 'sounds like' : 'similar spelling';
    return { score, docWord: w, reason: `${why}: ${cap(q.word)} ≈ ${cap(w)}`, loose: true };
  }
  if (sounds) return { score: 0.6, docWord: w, reason: `sounds like: ${cap(q.word)} ≈ ${cap(w)}`, loose: true };
  if ((q.last ? q.word.length >= 2 : q.word.length >= 3) && w.startsWith(q.word)) {
    return { score: q.last ? 0.62 : 0.58, docWord: w, reason: `starts with: ${cap(q.word)}`, loose: true };
  }
  return undefined;
}

/**
 * `complete`: every query word matched something of this person. `exact`: and each one matched a name,
 * a known form of it, an initial or a place, none only by a close spelling or sound. A close match
 * of a short word found in the first stage does not settle a search: the first stage cannot see names
 * one first letter away ("Chan" finds Chen there, never Khan), which are as close.
 * `family`: a query word is this person's family name (or a part of it), or a known form of it.
 * `lookalike`: nothing of this person matched but by a close spelling or sound (Sharon Francis, or
 * Sharon McCartney, for "Shavon McCarthy"): the weakest evidence there is, which the ranking never lets
 * push out the people whose family name was typed.
 */
export type Ranked = {
  doc: SearchDoc;
  score: number;
  why: string[];
  complete: boolean;
  exact: boolean;
  family: boolean;
  lookalike: boolean;
};

export type RankContext = {
  table: VariantTable;
  /** Weight of a matched name word: rarer names count for more (inverse document frequency). */
  weight: (word: string) => number;
};

/**
 * Scores one candidate against the query: each query word takes its best match among the person's
 * names (or, failing that, place words), weighted by how rare the matched name is; words that match
 * nothing pull the score down. Returns undefined when nothing matches at all.
 */
type Prepared = {
  aliasWords: Set<string>;
  mainWords: Set<string>;
  docWords: string[];
  codes: Map<string, string[]>;
  placeWords: Set<string>;
  simple: string[];
  firstGiven: string;
  preferred: string[];
  /** Given and preferred name words: what an initial ("J. Smith") stands for. */
  givenWords: string[];
  /** The family name folded whole ("smithjones"), then its parts ("smith", "jones"). */
  familyKeys: string[];
  /** Words of the family name that are none of the person's other names. */
  familyOnly: Set<string>;
};

/** A document's name words worked out once and kept (documents change only on publish). */
// The in-process keys hand the same document objects to every search: those are kept by object, for as
// long as the document is. Documents from Meilisearch or the fallback are new objects each search, so
// they are also kept by plan id and checked against the words they were worked out from (a key joining
// the long name and place strings cost more than the lookup saved).
const byDoc = new WeakMap<SearchDoc, Prepared>();
const prepared = new Map<string, Prepared & { from: { names: string; places: string } }>();
function prepare(doc: SearchDoc): Prepared {
  const kept = byDoc.get(doc);
  if (kept) return kept;
  let p = prepared.get(doc.id);
  if (p && p.from.names === doc.names && p.from.places === doc.places) {
    byDoc.set(doc, p);
    return p;
  }
  const docWords = doc.names.split(' ').filter(Boolean);
  const aliasWords = new Set(doc.aliases.flatMap(nameKeys));
  const givenWords = [...new Set([...nameKeys(doc.givenNames), ...nameKeys(doc.preferredName ?? '')])];
  const familyKeys = nameKeys(doc.familyName);
  p = {
    aliasWords,
    mainWords: new Set([...nameKeys(doc.givenNames), ...nameKeys(doc.familyName), ...nameKeys(doc.preferredName ?? '')]),
    docWords,
    codes: new Map(docWords.map((w) => [w, phoneticCodes(w)])),
    placeWords: new Set(doc.places.split(' ').filter(Boolean)),
    simple: words(`${doc.givenNames} ${doc.familyName}`).filter((w) => w.length > 1),
    firstGiven: words(doc.givenNames)[0] ?? '',
    preferred: words(doc.preferredName ?? ''),
    givenWords,
    familyKeys,
    familyOnly: new Set(familyKeys.filter((w) => !givenWords.includes(w) && !aliasWords.has(w))),
    from: { names: doc.names, places: doc.places },
  };
  if (prepared.size > 50_000) prepared.clear();
  prepared.set(doc.id, p);
  byDoc.set(doc, p);
  return p;
}

export function scoreCandidate(query: QueryWord[], doc: SearchDoc, ctx: RankContext): Ranked | undefined {
  const { aliasWords, mainWords, docWords, codes, placeWords, simple, firstGiven, preferred, givenWords, familyKeys, familyOnly } =
    prepare(doc);
  let familyScore = 0;
  let family = false;
  let firm = false;
  let total = 0;
  let possible = 0;
  let matched = 0;
  let loose = false;
  const why: string[] = [];
  const used = new Set<string>();
  for (const q of query) {
    let best: WordMatch | undefined;
    // An initial stands for a given (or preferred) name, and says less than the name itself would.
    if (q.word.length === 1) {
      const w = givenWords.find((g) => g.startsWith(q.word) && !used.has(g));
      const score = w && preferred.includes(w) && !nameKeys(doc.givenNames).includes(w) ? INITIAL - 0.03 : INITIAL;
      if (w) best = { score, docWord: w, reason: `initial: ${q.word.toUpperCase()} → ${cap(w)}` };
    }
    for (const w of q.word.length === 1 ? [] : docWords) {
      let m = q.matches.get(w);
      if (m === undefined) q.matches.set(w, (m = matchWord(q, w, codes.get(w)!, ctx.table) ?? null));
      // Kelley is listed as a nickname of Kelly, but a family name has none: only a spelling close to it.
      if (m?.given && familyOnly.has(w)) {
        m = q.asFamily.get(w);
        if (m === undefined) q.asFamily.set(w, (m = matchWord(q, w, codes.get(w)!, ctx.table, true) ?? null));
      }
      if (!m) continue;
      // The same name word should not be claimed twice ("John John" would otherwise tie with "John Smith").
      const s = used.has(w) ? m.score * 0.5 : m.score;
      if (!best || s > best.score) best = { ...m, score: s };
    }
    let place: WordMatch | undefined;
    if (placeWords.has(q.word) && q.word.length > 2) place = { score: 0.7, docWord: q.word, reason: 'place' };
    if (place && (!best || best.score < place.score)) best = place;
    // One letter in 26 is all an initial tells, however rare the name it stands for. A two-letter word
    // that matches nothing of this person is most likely a particle misheard ("mi" for Ní): as a word held
    // by nobody it would weigh most of all, and Mei Ní Bhriain would outrank Aoife Ní Bhriain for "Aoife mi
    // bhriain" for matching "mi" loosely; it tells no more than an initial.
    // A name matched by another form of the word typed weighs no more than the word typed, when someone
    // holds it: "Yousef" typed is not worth more for finding Yusuf Meredith, rarer, than Thomas Yousef.
    const weight =
      q.word.length === 1 || (!best && q.word.length === 2)
        ? INITIAL_WEIGHT
        : best && best.reason !== 'place'
          ? Math.min(ctx.weight(best.docWord), ctx.weight(q.word))
          : ctx.weight(q.word);
    possible += weight;
    if (!best) continue;
    matched++;
    // From TWO_TYPOS_FROM letters the first stage sees names one first letter away, so a close spelling
    // of a long word does not hide them.
    if (best.loose && q.word.length < TWO_TYPOS_FROM) loose = true;
    if (!best.loose) firm = true;
    used.add(best.docWord);
    if (familyKeys.includes(best.docWord)) {
      familyScore = Math.max(familyScore, best.score);
      if (!best.loose && best.reason !== 'place') family = true;
    }
    total += best.score * weight;
    if (best.reason === 'place') {
      const label = doc.locations.find((l) => words(l.label).includes(q.word))?.label ?? doc.homeArea ?? q.word;
      why.push(`place: ${label}`);
    } else {
      why.push(best.reason || (aliasWords.has(best.docWord) && !mainWords.has(best.docWord) ? 'alias' : 'name'));
      if (best.reason && !mainWords.has(best.docWord) && aliasWords.has(best.docWord)) why.push('alias');
    }
  }
  if (!matched) return undefined;
  const coverage = matched / query.length;
  // A person called by their preferred name ("Shiv" for Siobhan) is called by their first name: the
  // given name it stands for is explained, not spare.
  const calledByName = used.has(firstGiven) || preferred.some((w) => used.has(w));
  // Of two people who both match, the one with fewer names left unexplained is the likelier.
  // The other half of a double-barrelled family name, one half of which matched, is not unexplained.
  const familyPart = familyScore > 0 ? new Set(familyKeys) : undefined;
  const spare = simple.filter(
    (w) => !used.has(w) && ![...used].some((u) => u.includes(w)) && !(calledByName && w === firstGiven) && !familyPart?.has(w),
  ).length;
  // The family name is the strongest evidence: matched (closely) it lifts a person above one matched only
  // by a given or preferred name; matched whole, above a match on one part of a double-barrelled name.
  const parts = familyKeys.slice(1);
  const whole = used.has(familyKeys[0] ?? '') || (parts.length > 0 && parts.every((p) => used.has(p)));
  const lift = familyScore >= 0.85 ? (whole ? 1.05 : 1.025) : 1;
  const score =
    (possible ? total / possible : 0) * (0.6 + 0.4 * coverage) * (1 - 0.02 * Math.min(spare, 5)) * (calledByName ? 1.02 : 1) * lift;
  const complete = matched === query.length;
  return { doc, score, why: [...new Set(why)], complete, exact: complete && !loose, family, lookalike: !firm };
}
