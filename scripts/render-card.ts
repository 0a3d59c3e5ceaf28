/**
 * Issues a card for a synthetic plan through the real API, writes the PDF, PNG and SVG under
 * /tmp/card-render (or the directory given), and renders the PDF with poppler's pdftoppm so a person
 * can check the card is readable.   npx tsx scripts/render-card.ts [OUT_DIR] [--text "..."]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { databaseFile, openDatabase } from '../db/index.js';
import { ensureDemoOrganisations } from '../src/plans/demo/demo.js';
import { importRecords } from '../src/plans/versions/importer.js';
import { syntheticRecords } from '../src/plans/demo/synthetic.js';
import { createApp } from '../src/server/app.js';
import { loadDevIssuer } from '../src/server/auth/dev-issuer.js';
import { silentLogger } from '../src/logger.js';

async function main(argv: string[]) {
  const textAt = argv.indexOf('--text');
  const text = textAt >= 0 ? argv[textAt + 1] : undefined;
  const outDir = path.resolve(argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--text') ?? '/tmp/card-render');
  fs.mkdirSync(outDir, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'card-render-data-'));
  try {
    const now = new Date();
    const db = openDatabase(databaseFile(dataDir));
    await ensureDemoOrganisations(db, now);
    const [record] = syntheticRecords(1, { seed: 7, owningOrgs: ['southbank-mh'], today: now.toISOString().slice(0, 10) });
    await importRecords(db, [record!], { importedBy: 'render-card', now: () => now });
    const planId = db.sqlite!.client.prepare<[], { id: string }>('SELECT id FROM plans').get()!.id;
    const devIssuer = await loadDevIssuer(path.join(dataDir, 'keys'));
    const app = createApp({ db, clock: () => new Date(), logger: silentLogger(), devIssuer, publicBaseUrl: 'https://plans.example.org' });
    const jwt = await devIssuer.sign({ sub: 'render.author', org: 'southbank-mh', roles: ['author'] }, 300);
    const res = await app.request(`/api/v1/plans/${planId}/cards`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
      body: JSON.stringify(text ? { text } : {}),
    });
    if (res.status !== 201) throw new Error(`issue failed: ${res.status} ${await res.text()}`);
    const card = (await res.json()) as {
      code: string;
      artefacts: { pdf: { base64: string }; png: { base64: string }; svg: { text: string } };
    };
    const pdf = path.join(outDir, 'card.pdf');
    fs.writeFileSync(pdf, Buffer.from(card.artefacts.pdf.base64, 'base64'));
    fs.writeFileSync(path.join(outDir, 'qr.png'), Buffer.from(card.artefacts.png.base64, 'base64'));
    fs.writeFileSync(path.join(outDir, 'qr.svg'), card.artefacts.svg.text);
    process.stdout.write(`card code ${card.code}\nPDF ${pdf} (${fs.statSync(pdf).size} bytes)\n`);
    for (const [pageNo, side] of [
      [1, 'front'],
      [2, 'back'],
    ] as const) {
      const base = path.join(outDir, `card-${side}-300dpi`);
      execFileSync('pdftoppm', ['-png', '-r', '300', '-f', String(pageNo), '-l', String(pageNo), '-singlefile', pdf, base]);
      const png = fs.readFileSync(`${base}.png`);
      // Width and height sit at fixed offsets in a PNG's IHDR chunk.
      process.stdout.write(`${side}: ${base}.png, ${png.readUInt32BE(16)}×${png.readUInt32BE(20)} px at 300 dpi, ${png.length} bytes\n`);
    }
    db.sqlite!.client.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
