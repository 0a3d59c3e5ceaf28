// npm run check:layers — fails on any import cycle in src/ and on any import that breaks the layering:
//   plans  → nothing from server, search, ui, cli
//   search → nothing from server, ui, cli
//   ui     → nothing from server, cli
//   db/schema → at most `import type` from plans, nothing else of src/
// and on SQL outside a store module: only `store.ts`, `*-store.ts` and `*.store.ts` files (and db/) may import
// drizzle-orm's query helpers, write `sql\``, or reach the driver (`$client`, `.prepare(`).
// Type-only imports count for cycles too: a cycle of types is still two files that cannot be read alone.
// (dependency-cruiser would do this, but its versions for Node 20 parse TypeScript only through the
// `typescript` package's JS API, which TypeScript 7 no longer ships.)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Import = { from: string; to: string; typeOnly: boolean; line: number };
type Written = { spec: string; typeOnly: boolean; line: number };
export type Finding = { kind: 'cycle' | 'layer' | 'sql'; message: string };

/** Store modules: the only files of src/ that hold statements (DESIGN: SQL lives only in store modules). */
export const isStoreModule = (file: string) =>
  /(^|[/\\])(store|[\w.-]+-store|[\w.-]+\.store)\.(ts|mts|mjs)$/.test(file) ||
  // The SQLite access-log writer thread: a store module of its own, in plain JS so the worker loads it.
  /[/\\]access-log[/\\]writer[/\\][\w.-]+\.mjs$/.test(file);

/**
 * Files written before the rule, whose statements are still being moved into stores (issue 22). The list
 * only shrinks: a file on it that no longer holds SQL is itself a finding, so it cannot go stale.
 */
export const LEGACY_SQL: readonly string[] = [
  'src/plans/access-log/checkpoints.ts',
  'src/plans/access-log/console.ts',
  'src/plans/access-log/flag-reviews.ts',
  'src/plans/access-log/flags.ts',
  'src/plans/access-log/log.ts',
  'src/plans/access-log/plan-events.ts',
  'src/plans/access-log/queries.ts',
  'src/plans/access-log/report.ts',
  'src/plans/access-log/verify.ts',
];

const SQL_MARKERS: [RegExp, string][] = [
  [/^\s*import\s+(?!type\b)[^;]*?from\s+['"]drizzle-orm(\/[^'"]*)?['"]/ms, 'imports drizzle-orm'],
  [/\bsql`/, 'writes sql``'],
  [/\$client\b/, 'reaches the driver ($client)'],
  [/\.prepare\s*[<(]/, 'prepares a statement'],
];

/** Why `text` counts as holding SQL, or undefined. */
export function sqlIn(text: string): string | undefined {
  return SQL_MARKERS.find(([re]) => re.test(text))?.[1];
}

const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;

/** Every relative import of one file: static, `export … from`, dynamic `import()`, and worker URLs. */
export function importsOf(text: string): Written[] {
  const found: Written[] = [];
  const patterns: [RegExp, (m: RegExpExecArray) => boolean][] = [
    [/^\s*import\s+(type\s+)?[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gms, (m) => Boolean(m[1])],
    [/^\s*import\s+['"]([^'"]+)['"]/gm, () => false],
    [/^\s*export\s+(type\s+)?[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gms, (m) => Boolean(m[1])],
    [/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, () => false],
    [/new\s+URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g, () => false],
  ];
  for (const [re, typeOnly] of patterns) {
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const spec = m[m.length - 1]!;
      if (!spec.startsWith('.')) continue;
      found.push({ spec, typeOnly: typeOnly(m), line: text.slice(0, m.index).split('\n').length });
    }
  }
  return found;
}

/** `./x.js` written for ESM resolves to x.ts / x.tsx / x.mts beside it, or to the file itself. */
function resolve(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  const stem = base.replace(/\.(js|mjs|jsx)$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.mjs`, `${base}/index.ts`]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' ? [] : walk(p);
    return SOURCE.test(d.name) && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Which layer a file belongs to, by its path under the root. */
function layerOf(root: string, file: string): string | undefined {
  const rel = path.relative(root, file).split(path.sep);
  if (rel[0] === 'src') return rel.length > 2 ? rel[1] : 'src';
  if (rel[0] === 'db' && rel[1] === 'schema') return 'db/schema';
  return rel[0];
}

const forbidden: Record<string, string[]> = {
  plans: ['server', 'search', 'ui', 'cli'],
  search: ['server', 'ui', 'cli'],
  ui: ['server', 'cli'],
};

export function checkLayers(root: string): { files: number; imports: number; findings: Finding[] } {
  const files = [...walk(path.join(root, 'src')), ...walk(path.join(root, 'db', 'schema'))];
  const edges: Import[] = [];
  const findings: Finding[] = [];
  const rel = (f: string) => path.relative(root, f);
  const legacy = new Set(LEGACY_SQL);
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    if (path.relative(root, file).startsWith('src')) {
      const why = sqlIn(text);
      const name = rel(file).split(path.sep).join('/');
      if (why && !isStoreModule(file) && !legacy.has(name)) {
        findings.push({ kind: 'sql', message: `${name} ${why}: statements belong in a store module (store.ts / *-store.ts)` });
      }
      if (legacy.has(name) && (!why || isStoreModule(file))) {
        findings.push({ kind: 'sql', message: `${name} holds no SQL any more: take it off LEGACY_SQL in scripts/check-layers.ts` });
      }
    }
    for (const imp of importsOf(text)) {
      const to = resolve(file, imp.spec);
      if (!to) {
        findings.push({ kind: 'layer', message: `${rel(file)}:${imp.line} imports ${imp.spec}, which does not exist` });
        continue;
      }
      edges.push({ from: file, to, typeOnly: imp.typeOnly, line: imp.line });
    }
  }

  for (const e of edges) {
    const from = layerOf(root, e.from);
    const to = layerOf(root, e.to);
    const where = `${rel(e.from)}:${e.line} → ${rel(e.to)}`;
    if (from && to && forbidden[from]?.includes(to)) findings.push({ kind: 'layer', message: `${where}: ${from} must not import ${to}` });
    if (from === 'db/schema' && to !== 'db/schema') {
      if (to !== 'plans') findings.push({ kind: 'layer', message: `${where}: db/schema imports only types from plans` });
      else if (!e.typeOnly) findings.push({ kind: 'layer', message: `${where}: db/schema may import only types (import type) from plans` });
    }
  }

  // Tarjan's strongly connected components: every component of more than one file (or a file importing
  // itself) is a cycle.
  const graph = new Map<string, string[]>();
  for (const e of edges) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.includes(v)) {
        findings.push({ kind: 'cycle', message: `import cycle: ${component.map(rel).sort().join(' ↔ ')}` });
      }
    }
  };
  for (const f of files) if (!idx.has(f)) strong(f);
  return { files: files.length, imports: edges.length, findings };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(process.argv[2] ?? '.');
  const { files, imports, findings } = checkLayers(root);
  for (const f of findings) console.error(`${f.kind}: ${f.message}`);
  console.log(`check:layers: ${files} files, ${imports} imports, ${findings.length} problem${findings.length === 1 ? '' : 's'}`);
  process.exit(findings.length ? 1 : 0);
}
