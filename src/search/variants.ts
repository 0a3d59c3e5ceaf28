import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { variantGroups } from './data/variants.js';
import { fold } from './normalise.js';

const dataDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');

export type Relation = 'nickname' | 'variant';

/**
 * For each folded given name, the names it may stand for (one hop: "bob" → robert, rob; "robert" → bob,
 * bobby, …) and whether the link is a nickname or a spelling variant. One hop, not the transitive
 * closure: closure would make "al" the same person as Albert, Alfred, Alan and Alison.
 */
export type VariantTable = ReadonlyMap<string, ReadonlyMap<string, Relation>>;

function link(table: Map<string, Map<string, Relation>>, a: string, b: string, rel: Relation) {
  if (!a || !b || a === b) return;
  for (const [x, y] of [[a, b], [b, a]] as const) {
    let m = table.get(x);
    if (!m) table.set(x, (m = new Map()));
    if (m.get(y) !== 'variant') m.set(y, rel);
  }
}

export function loadVariantTable(): VariantTable {
  const table = new Map<string, Map<string, Relation>>();
  const csv = fs.readFileSync(path.join(dataDir, 'names.csv'), 'utf8');
  for (const line of csv.split('\n').slice(1)) {
    const [a, rel, b] = line.trim().split(',');
    if (rel === 'has_nickname' && a && b) link(table, fold(a), fold(b), 'nickname');
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
