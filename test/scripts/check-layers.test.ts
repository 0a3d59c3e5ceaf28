import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLayers } from '../../scripts/check-layers.js';

const roots: string[] = [];
function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  roots.push(root);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

describe('check:layers', () => {
  it('passes the repository itself', () => {
    const r = checkLayers(path.resolve(__dirname, '../..'));
    expect(r.findings).toEqual([]);
    expect(r.files).toBeGreaterThan(100);
  });

  it('refuses SQL outside a store module, and a legacy entry that no longer holds any', () => {
    const root = tree({
      'src/plans/x/store.ts': "import { eq } from 'drizzle-orm';\nexport const q = eq;\n",
      'src/plans/x/y-store.ts': "export const s = (db: any) => db.$client.prepare('select 1');\n",
      'src/plans/x/domain.ts': "import type { SQL } from 'drizzle-orm';\nexport type S = SQL;\n",
      'src/server/route.ts': "import { sql } from 'drizzle-orm';\nexport const r = sql`select 1`;\n",
      'src/server/raw.ts': "export const r = (db: any) => db.$client.prepare('select 1');\n",
    });
    const messages = checkLayers(root)
      .findings.filter((f) => f.kind === 'sql')
      .map((f) => f.message);
    expect(messages).toEqual([
      expect.stringMatching(/^src\/server\/raw\.ts reaches the driver/),
      expect.stringMatching(/^src\/server\/route\.ts imports drizzle-orm/),
    ]);
  });

  it('finds a cycle through type-only imports and names every file in it', () => {
    const root = tree({
      'src/server/a.ts': "import type { B } from './b.js';\nexport type A = B;\n",
      'src/server/b.ts': "import { c } from './sub/c.js';\nexport type B = string;\nexport const b = c;\n",
      'src/server/sub/c.ts': "export type { A } from '../a.js';\nexport const c = 1;\n",
      'src/server/ok.ts': "import { b } from './b.js';\nexport const ok = b;\n",
    });
    const { findings } = checkLayers(root);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.kind).toBe('cycle');
    expect(findings[0]!.message).toContain('src/server/a.ts ↔ src/server/b.ts ↔ src/server/sub/c.ts');
  });

  it('refuses plans → server, search → ui, ui → server, and db/schema values from plans', () => {
    const root = tree({
      'src/plans/core/x.ts': "import { s } from '../../server/s.js';\nexport const x = s;\n",
      'src/search/y.ts': "import { u } from '../ui/u.js';\nexport const y = u;\n",
      'src/ui/u.tsx': "import type { S } from '../server/s.js';\nexport const u = 1 as unknown as S;\n",
      'src/server/s.ts': 'export type S = number;\nexport const s = 1;\n',
      'db/schema/t.ts':
        "import type { P } from '../../src/plans/p.js';\nimport { p } from '../../src/plans/p.js';\nexport const t: P = p;\n",
      'src/plans/p.ts': 'export type P = number;\nexport const p = 1;\n',
      'src/plans/worker.ts': "new Worker(new URL('./missing.mjs', import.meta.url));\n",
    });
    const messages = checkLayers(root).findings.map((f) => f.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('src/plans/core/x.ts:1 → src/server/s.ts: plans must not import server'),
        expect.stringContaining('src/search/y.ts:1 → src/ui/u.tsx: search must not import ui'),
        expect.stringContaining('src/ui/u.tsx:1 → src/server/s.ts: ui must not import server'),
        expect.stringContaining('db/schema/t.ts:2 → src/plans/p.ts: db/schema may import only types'),
        expect.stringContaining('src/plans/worker.ts:1 imports ./missing.mjs, which does not exist'),
      ]),
    );
    expect(messages).toHaveLength(5);
  });
});
