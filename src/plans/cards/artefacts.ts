import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, StandardFonts, type PDFFont } from 'pdf-lib';
import QRCode from 'qrcode';
import { z } from 'zod';
import { formatShortCode } from './code.js';
import { fail, ok, type Result } from '../core/result.js';

export const DEFAULT_CARD_TEXT = 'I have a crisis plan. Scan with a responder device.';

/**
 * What the person chose to print. Names in the UK are not all Latin-1 (Welsh ŵ ŷ ẁ ỳ, Polish ł ź,
 * Czech č ř …), so the card embeds DejaVu Sans, which covers Latin-1, Latin Extended-A and the Welsh
 * letters of Latin Extended Additional; anything else is refused with a clear message rather than
 * printed as boxes.
 */
export const cardTextSchema = z
  .string()
  .trim()
  .min(1)
  .max(160)
  .regex(
    /^[\x20-\x7E\u00A0-\u017F\u1E80-\u1E85\u1EF2\u1EF3\u2018\u2019\u201C\u201D\u2013\u2014]*$/,
    'use letters (Latin, including Welsh and central European accents), digits and common punctuation only',
  );

/**
 * DejaVu Sans (Bitstream Vera licence, see NOTICE.md), read once and subset into each card so a PDF
 * carries only the glyphs it prints.
 */
export const fontFiles = (() => {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  const read = (name: string) => fs.readFileSync(path.join(dir, name));
  const regular = read('DejaVuSans.ttf');
  const bold = read('DejaVuSans-Bold.ttf');
  const covered = (bytes: Buffer) => new Set(fontkit.create(bytes).characterSet);
  const inBold = covered(bold);
  return { regular, bold, covered: new Set([...covered(regular)].filter((cp) => inBold.has(cp))) };
})();

/** The characters of `text` the card's fonts cannot draw (they would print as empty boxes). */
export function unprintable(text: string): string[] {
  return [...new Set([...text].filter((ch) => !/\s/.test(ch) && !fontFiles.covered.has(ch.codePointAt(0)!)))];
}

export type CardArtefacts = { pdf: Uint8Array; png: Buffer; svg: string };
export type CardPrint = {
  /** `PUBLIC_BASE_URL/q/<token>`: the only thing the QR code holds. */
  url: string;
  /** Where the short code can be typed in. */
  codeEntryUrl: string;
  code: string;
  text: string;
  issuer: string;
  /** The issuing team's contact, for whoever finds a lost card (printed on the back). */
  issuerContact?: string | null;
};

// ISO/IEC 7810 ID-1, the size of a bank card: 85.6 × 54 mm, in PDF points.
const MM = 72 / 25.4;
const CARD_W = 85.6 * MM;
const CARD_H = 54 * MM;
/** Medium error correction: survives a scuffed or creased card, keeps the modules large (about 1 mm). */
const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/** Words laid into lines no wider than `width` at `size` (the card's and the access report's PDFs). */
export function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && font.widthOfTextAtSize(candidate, size) > width) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The largest size (down to a floor) at which `text` fits the box. */
function fit(text: string, font: PDFFont, width: number, height: number, sizes: number[]) {
  for (const size of sizes) {
    const lines = wrap(text, font, size, width);
    if (lines.length * size * 1.2 <= height && lines.every((l) => font.widthOfTextAtSize(l, size) <= width)) return { size, lines };
  }
  const size = sizes[sizes.length - 1]!;
  return { size, lines: wrap(text, font, size, width) };
}

/**
 * The printable card (PDF, bank-card size) and the QR on its own as PNG and SVG. Nothing about the
 * person is added here: only the text they chose, the code, and the issuing service's name.
 */
export async function renderCard(print: CardPrint): Promise<Result<CardArtefacts>> {
  const missing = unprintable(`${print.text} ${print.issuer} ${print.issuerContact ?? ''}`);
  if (missing.length) {
    // The organisation's registered name or contact, not the request, holds them: an admin must fix it.
    return fail(
      'conflict',
      `the organisation's name or contact has characters the card font cannot print (${missing.map((ch) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(', ')})`,
    );
  }
  const png = await QRCode.toBuffer(print.url, { ...QR_OPTIONS, type: 'png', scale: 10 });
  const svg = await QRCode.toString(print.url, { ...QR_OPTIONS, type: 'svg' });

  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle('Crisis plan card');
  doc.setSubject('Patient-held card: scan the QR code with a responder device');
  doc.setCreator(print.issuer);
  const page = doc.addPage([CARD_W, CARD_H]);
  const regular = await doc.embedFont(fontFiles.regular, { subset: true });
  const bold = await doc.embedFont(fontFiles.bold, { subset: true });
  // The code is Crockford base32 (ASCII only): a standard font costs nothing to embed.
  const mono = await doc.embedFont(StandardFonts.CourierBold);
  const ink = rgb(0, 0, 0);
  const band = rgb(0.05, 0.2, 0.45);

  // Cut line, then a dark band so the card is recognisable at a glance in a wallet.
  page.drawRectangle({ x: 0.5, y: 0.5, width: CARD_W - 1, height: CARD_H - 1, borderColor: rgb(0.6, 0.6, 0.6), borderWidth: 0.5 });
  const bandH = 17;
  page.drawRectangle({ x: 0, y: CARD_H - bandH, width: CARD_W, height: bandH, color: band });
  page.drawText('CRISIS PLAN CARD', { x: 8, y: CARD_H - bandH + 5, size: 9.5, font: bold, color: rgb(1, 1, 1) });

  const qrSize = CARD_H - bandH - 6;
  const qr = await doc.embedPng(png);
  page.drawImage(qr, { x: 3, y: 3, width: qrSize, height: qrSize });

  const colX = qrSize + 6;
  const colW = CARD_W - colX - 7;
  let y = CARD_H - bandH - 6;
  const chosen = fit(print.text, bold, colW, 52, [9, 8.5, 8, 7.5, 7, 6.5, 6]);
  for (const line of chosen.lines) {
    y -= chosen.size * 1.2;
    page.drawText(line, { x: colX, y, size: chosen.size, font: bold, color: ink });
  }
  y -= 12;
  page.drawText('Cannot scan? Enter code:', { x: colX, y, size: 7, font: regular, color: ink });
  y -= 12;
  const codeText = formatShortCode(print.code);
  const codeSize = Math.min(11, (colW / mono.widthOfTextAtSize(codeText, 1)) * 0.98);
  page.drawText(codeText, { x: colX, y, size: codeSize, font: mono, color: ink });
  y -= 10;
  for (const line of wrap(`at ${print.codeEntryUrl.replace(/^https?:\/\//, '')}`, regular, 7, colW)) {
    page.drawText(line, { x: colX, y, size: 7, font: regular, color: ink });
    y -= 8;
  }
  const issuer = fit(`Issued by ${print.issuer}`, regular, colW, 18, [6.5, 6, 5.5, 5]);
  let iy = 6 + (issuer.lines.length - 1) * issuer.size * 1.2;
  for (const line of issuer.lines) {
    page.drawText(line, { x: colX, y: iy, size: issuer.size, font: regular, color: rgb(0.2, 0.2, 0.2) });
    iy -= issuer.size * 1.2;
  }
  drawBack(doc.addPage([CARD_W, CARD_H]), print, { regular, bold, band });
  return ok({ pdf: await doc.save(), png, svg });
}

/** The back's words, also shown in the console's preview of the card. */
export const cardBack = (print: Pick<CardPrint, 'issuer' | 'issuerContact'>) => ({
  scan: "Scan the QR code with your service's device. You will sign in and say why you need the plan; every look is recorded.",
  advice: 'The plan is advice, not an instruction: use your own judgement and duty of care.',
  found: `Found this card? Please return it to ${print.issuer}${print.issuerContact ? ` (${print.issuerContact})` : ''}.`,
});

/** The back, for double-sided printing: what a responder, or someone who finds the card, should know. */
function drawBack(
  page: ReturnType<PDFDocument['addPage']>,
  print: CardPrint,
  f: { regular: PDFFont; bold: PDFFont; band: ReturnType<typeof rgb> },
) {
  const ink = rgb(0, 0, 0);
  page.drawRectangle({ x: 0.5, y: 0.5, width: CARD_W - 1, height: CARD_H - 1, borderColor: rgb(0.6, 0.6, 0.6), borderWidth: 0.5 });
  page.drawRectangle({ x: 0, y: CARD_H - 17, width: CARD_W, height: 17, color: f.band });
  page.drawText('FOR RESPONDERS', { x: 8, y: CARD_H - 12, size: 9.5, font: f.bold, color: rgb(1, 1, 1) });
  const width = CARD_W - 16;
  let y = CARD_H - 17 - 4;
  const paragraph = (text: string, font: PDFFont, size: number) => {
    for (const line of wrap(text, font, size, width)) {
      y -= size * 1.25;
      page.drawText(line, { x: 8, y, size, font, color: ink });
    }
    y -= 3;
  };
  const back = cardBack(print);
  paragraph(back.scan, f.regular, 7.5);
  paragraph(back.advice, f.bold, 7.5);
  paragraph(back.found, f.regular, 6.5);
}
