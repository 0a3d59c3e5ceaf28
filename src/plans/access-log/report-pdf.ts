import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont } from 'pdf-lib';
import { fontFiles, wrap } from '../cards/artefacts.js';
import { questionsWords, type AccessReport, type ReportOwner } from './report.js';
import { longDate } from '../core/local-time.js';

/**
 * The person's access report as an A4 PDF, to hand over or post. DejaVu Sans (the card font) so names
 * and purposes in Welsh or central European spellings print as typed; a character it cannot draw (an
 * emoji in a purpose) prints as "?" rather than an empty box, so no sentence silently loses a word.
 */

const A4 = { w: 595.28, h: 841.89 };
const MARGIN = 56;
const INK = rgb(0.05, 0.05, 0.05);

const printable = (s: string) => [...s].map((ch) => (/\s/.test(ch) || fontFiles.covered.has(ch.codePointAt(0)!) ? ch : '?')).join('');

const GREY = rgb(0.45, 0.45, 0.45);

export async function accessReportPdf(r: AccessReport, owner: ReportOwner): Promise<Uint8Array> {
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

  const room = (height: number) => {
    if (y - height < MARGIN + 24) {
      page = doc.addPage([A4.w, A4.h]);
      y = A4.h - MARGIN;
    }
  };
  /** A paragraph; `marker` is drawn beside its first line (a list number). A list item is not split. */
  const block = (text: string, font: PDFFont, size: number, after = 6, indent = 0, marker?: string) => {
    const lines = wrap(printable(text), font, size, width - indent);
    if (marker) room(lines.length * size * 1.3);
    lines.forEach((line, i) => {
      room(size * 1.3);
      y -= size * 1.3;
      if (i === 0 && marker) page.drawText(marker, { x: MARGIN, y, size, font: regular, color: INK });
      page.drawText(line, { x: MARGIN + indent, y, size, font, color: INK });
    });
    y -= after;
  };
  /** A heading is kept with the start of what follows it. */
  const heading = (text: string) => {
    y -= 10;
    room(14 * 1.3 * 2 + 11 * 1.3 * 3);
    block(text, bold, 14, 6);
  };
  const list = (sentences: string[], emphasis: (i: number) => boolean = () => false) =>
    sentences.forEach((s, i) => block(s, emphasis(i) ? bold : regular, 11, 6, 22, `${i + 1}.`));

  // For posting: the sender, then the person's name and address where a left-hand window envelope (DL)
  // shows them. The plan holds no postal address, so ruled lines are left to write it by hand.
  page.drawText(printable(`From ${owner.name}`), { x: MARGIN, y: A4.h - 40, size: 8, font: regular, color: GREY });
  page.drawText(printable(longDate(r.generatedAt)), {
    x: A4.w - MARGIN - regular.widthOfTextAtSize(printable(longDate(r.generatedAt)), 11),
    y: A4.h - 70,
    size: 11,
    font: regular,
    color: INK,
  });
  y = A4.h - 130;
  if (r.subject) block(r.subject.name, regular, 12, 4);
  else {
    y -= 12 * 1.3;
    page.drawLine({ start: { x: MARGIN, y: y - 3 }, end: { x: MARGIN + 230, y: y - 3 }, thickness: 0.5, color: GREY });
    y -= 4;
  }
  for (let i = 0; i < 4; i++) {
    y -= 20;
    page.drawLine({ start: { x: MARGIN, y }, end: { x: MARGIN + 230, y }, thickness: 0.5, color: GREY });
  }
  page.drawText('Address: write it on the lines above before posting', { x: MARGIN, y: y - 12, size: 8, font: regular, color: GREY });
  y -= 52;

  block('Who looked at your response plan', bold, 20, 8);
  block(
    `Plan reference ${r.externalRef}. Kept by ${owner.name}. Report produced on ${longDate(r.generatedAt)}. Times are London time (GMT, or BST in summer).`,
    regular,
    10,
    12,
  );
  for (const s of r.summary) block(s, regular, 12, 4);
  const responders = r.accesses.filter((a) => a.kind === 'responders');
  const care = r.accesses.filter((a) => a.kind === 'care-team');
  if (r.kinds.includes('responders')) {
    heading(
      responders.length
        ? 'Each time someone outside your care team looked at your plan'
        : 'No one outside your care team looked at your plan in this period.',
    );
    list(
      responders.map((a) => `${a.emergency ? 'EMERGENCY ACCESS. ' : ''}${a.sentence}`),
      (i) => responders[i]!.emergency,
    );
  }
  if (r.kinds.includes('refused')) {
    heading(r.refused.length ? 'Attempts that were refused' : 'No attempts were refused in this period.');
    list(r.refused.map((a) => a.sentence));
  }
  if (r.kinds.includes('care-team') && care.length) {
    heading("Your care team's work on your plan");
    list(care.map((a) => a.sentence));
  }
  y -= 10;
  block(questionsWords(owner), regular, 11);

  const pages = doc.getPages();
  pages.forEach((p, i) =>
    p.drawText(printable(`Plan reference ${r.externalRef} · page ${i + 1} of ${pages.length}`), {
      x: MARGIN,
      y: MARGIN - 20,
      size: 9,
      font: regular,
      color: INK,
    }),
  );
  return doc.save();
}
