import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont } from 'pdf-lib';
import { fontFiles, wrap } from '../cards/artefacts.js';
import type { AccessReport } from './report.js';

/**
 * The person's access report as an A4 PDF, to hand over or post. DejaVu Sans (the card font) so names
 * and purposes in Welsh or central European spellings print as typed; a character it cannot draw (an
 * emoji in a purpose) prints as "?" rather than an empty box, so no sentence silently loses a word.
 */

const A4 = { w: 595.28, h: 841.89 };
const MARGIN = 56;
const INK = rgb(0.05, 0.05, 0.05);

const printable = (s: string) => [...s].map((ch) => (/\s/.test(ch) || fontFiles.covered.has(ch.codePointAt(0)!) ? ch : '?')).join('');

const longDate = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

export async function accessReportPdf(r: AccessReport, owner: { name: string; contact: string | null }): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle('Who looked at your response plan');
  doc.setCreator('Crisis response plans');
  // A fixed date keeps the file a function of the report alone (tests compare, people re-print).
  doc.setCreationDate(new Date(r.generatedAt));
  doc.setModificationDate(new Date(r.generatedAt));
  const regular = await doc.embedFont(fontFiles.regular, { subset: true });
  const bold = await doc.embedFont(fontFiles.bold, { subset: true });
  const width = A4.w - 2 * MARGIN;
  let page = doc.addPage([A4.w, A4.h]);
  let y = A4.h - MARGIN;

  const block = (text: string, font: PDFFont, size: number, after = 6) => {
    for (const line of wrap(printable(text), font, size, width)) {
      if (y - size < MARGIN + 24) {
        page = doc.addPage([A4.w, A4.h]);
        y = A4.h - MARGIN;
      }
      y -= size * 1.3;
      page.drawText(line, { x: MARGIN, y, size, font, color: INK });
    }
    y -= after;
  };

  block('Who looked at your response plan', bold, 20, 10);
  block(`Plan reference ${r.externalRef}. Kept by ${owner.name}. Report produced on ${longDate(r.generatedAt)}.`, regular, 11, 12);
  for (const s of r.summary) block(s, regular, 12, 4);
  y -= 8;
  block(r.accesses.length ? 'Each time your plan was looked at' : 'No one looked at your plan in this period.', bold, 14, 6);
  for (const a of r.accesses) block(`${a.emergency ? 'EMERGENCY ACCESS. ' : ''}${a.sentence}`, a.emergency ? bold : regular, 11, 6);
  y -= 8;
  block(
    `If you have questions about this report, or think someone looked at your plan without a good reason, contact ${owner.name}${owner.contact ? ` (${owner.contact})` : ''}.`,
    regular,
    11,
  );

  const pages = doc.getPages();
  pages.forEach((p, i) =>
    p.drawText(printable(`Plan reference ${r.externalRef} · page ${i + 1} of ${pages.length}`), { x: MARGIN, y: MARGIN - 20, size: 9, font: regular, color: INK }),
  );
  return doc.save();
}
