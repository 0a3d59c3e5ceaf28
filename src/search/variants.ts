import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diminutives, equivalents, variantGroups } from './data/variants.js';
import { fold } from './normalise.js';

const dataDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');

/** Strongest first: one pair linked two ways keeps the stronger. */
export type Relation = 'variant' | 'nickname' | 'equivalent';
const strength: Record<Relation, number> = { variant: 3, nickname: 2, equivalent: 1 };

/**
 * For each folded given name, the names it may stand for (one hop: "bob" → robert, rob; "robert" → bob,
 * bobby, …) and whether the link is a nickname, a spelling variant, or the same name in another
 * language (Katarzyna, Kate). One hop, not the transitive
 * closure: closure would make "al" the same person as Albert, Alfred, Alan and Alison.
 */
export type VariantTable = ReadonlyMap<string, ReadonlyMap<string, Relation>>;

function link(table: Map<string, Map<string, Relation>>, a: string, b: string, rel: Relation) {
  if (!a || !b || a === b) return;
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    let m = table.get(x);
    if (!m) table.set(x, (m = new Map()));
    const had = m.get(y);
    if (!had || strength[rel] > strength[had]) m.set(y, rel);
  }
}

/** A `name1,relationship,name2` file: `#` lines are its provenance header, the first other line names the columns. */
function readPairs(file: string): [string, string, string][] {
  const lines = fs
    .readFileSync(path.join(dataDir, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'));
  return lines.slice(1).map((l) => l.trim().split(',') as [string, string, string]);
}

export function loadVariantTable(): VariantTable {
  const table = new Map<string, Map<string, Relation>>();
  // carltonnorthern/nicknames: genealogy nicknames (US-leaning); Wiktionary (via namor_data): modern
  // diminutives (Alfie, Izzy, Benji) and spellings (Isobel, Ashleigh). Provenance in data/NOTICE.md.
  for (const [a, rel, b] of [...readPairs('names.csv'), ...readPairs('wiktionary-names.csv')]) {
    if (!a || !b) continue;
    if (rel === 'has_nickname') link(table, fold(a), fold(b), 'nickname');
    else if (rel === 'has_variant') link(table, fold(a), fold(b), 'variant');
  }
  for (const line of diminutives) {
    const [formal, ...short] = line.split(' ').map(fold);
    for (const s of short) link(table, formal!, s, 'nickname');
  }
  for (const line of equivalents) {
    const [native, ...english] = line.split(' ').map(fold);
    for (const e of english) link(table, native!, e, 'equivalent');
  }
  for (const group of variantGroups) {
    const names = group.split(' ').map(fold);
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) link(table, names[i]!, names[j]!, 'variant');
    }
  }
  return table;
}

let shared: VariantTable | undefined;
/** Loaded once per process: it is read-only. */
export const variantTable = (): VariantTable => (shared ??= loadVariantTable());
