import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { fontFiles, wrap } from '../cards/artefacts.js';
import type { PlanRecord } from '../core/content.js';

/**
 * The person's own copy of their plan as an A4 PDF, written to them ("When you are in crisis,
 * responders will…"), with the version and its date on every page so an old copy is recognisable.
 * DejaVu Sans, as the card and the access report, so names print as typed; a character it cannot draw
 * prints as "?" rather than an empty box.
 */

export type PersonCopyInput = {
  record: PlanRecord;
  externalRef: string;
  version: number;
  publishedAt: string;
  printedAt: string;
  /** The summary for sending by email: no name, date of birth, NHS number, address or trust reference. */
  withoutIdentifiers: boolean;
  owner: { name: string; contact: string | null };
};

const A4 = { w: 595.28, h: 841.89 };
const MARGIN = 56;
const TOP = 70; // room for the running head
const BOTTOM = 64; // room for the footer
const INK = rgb(0.05, 0.05, 0.05);
const MUTED = rgb(0.3, 0.3, 0.3);
const BAND = rgb(0.05, 0.2, 0.45);

const printable = (s: string) => [...s].map((ch) => (/\s/.test(ch) || fontFiles.covered.has(ch.codePointAt(0)!) ? ch : '?')).join('');

export const longDate = (iso: string) =>
  new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Takes the person's names and NHS number out of free text for the summary without identifying details:
 * authors often write the person's name into the summary ("Speak to Eff by name"). Whole words only,
 * any case; each part of a double-barrelled or multi-word name too.
 */
export function withoutNames(record: PlanRecord): (text: string) => string {
  const s = record.subject;
  const names = [s.givenNames, s.familyName, s.preferredName ?? '', ...s.aliases]
    .flatMap((n) => [n, ...n.split(/[\s-]+/)])
    .map((n) => n.trim())
    .filter((n) => n.length > 1)
    .sort((a, b) => b.length - a.length);
  const nameRe = names.length
    ? new RegExp(`(?<![\\p{L}\\p{N}'’])(?:${names.map(escapeRegExp).join('|')})(?:['’]s)?(?![\\p{L}\\p{N}])`, 'giu')
    : undefined;
  const nhs = s.nhsNumber?.replace(/\D/g, '');
  const nhsRe = nhs ? new RegExp([...nhs].join('[\\s-]?'), 'g') : undefined;
  return (text) => {
    let out = text;
    if (nhsRe) out = out.replace(nhsRe, '[number removed]');
    if (nameRe) out = out.replace(nameRe, '[name]');
    return out;
  };
}

type Fonts = { regular: PDFFont; bold: PDFFont; italic: PDFFont };

/** A page flow: paragraphs, headings and bullets, starting a new page when the current one is full. */
function flow(doc: PDFDocument, f: Fonts) {
  const width = A4.w - 2 * MARGIN;
  let page: PDFPage = doc.addPage([A4.w, A4.h]);
  let y = A4.h - TOP;
  const room = (h: number) => {
    if (y - h < BOTTOM) {
      page = doc.addPage([A4.w, A4.h]);
      y = A4.h - TOP;
    }
  };
  const lines = (text: string, font: PDFFont, size: number, indent = 0, first?: string) => {
    const all = wrap(printable(text), font, size, width - indent - (first ? 12 : 0));
    all.forEach((line, i) => {
      room(size * 1.4);
      y -= size * 1.4;
      if (first && i === 0) page.drawText(first, { x: MARGIN + indent, y, size, font: f.regular, color: INK });
      page.drawText(line, { x: MARGIN + indent + (first ? 12 : 0), y, size, font, color: INK });
    });
  };
  return {
    title(text: string) {
      lines(text, f.bold, 22);
      y -= 10;
    },
    heading(text: string) {
      // Keep a heading with at least two lines of what follows it.
      room(16 + 14 * 1.3 + 6 + 2 * 11 * 1.4);
      y -= 16;
      for (const line of wrap(printable(text), f.bold, 14, width - 12)) {
        y -= 14 * 1.3;
        page.drawRectangle({ x: MARGIN, y: y - 3, width: 4, height: 17, color: BAND });
        page.drawText(line, { x: MARGIN + 12, y, size: 14, font: f.bold, color: INK });
      }
      y -= 8;
    },
    field(label: string, value: string) {
      room(11 * 1.4);
      y -= 11 * 1.4;
      const l = printable(`${label}: `);
      page.drawText(l, { x: MARGIN, y, size: 11, font: f.bold, color: INK });
      page.drawText(printable(value), { x: MARGIN + f.bold.widthOfTextAtSize(l, 11), y, size: 11, font: f.regular, color: INK });
      y -= 2;
    },
    para(text: string, font: PDFFont = f.regular, size = 11, after = 6) {
      for (const p of text.split(/\n\s*\n|\n/).filter((s) => s.trim())) {
        lines(p, font, size);
        y -= after;
      }
    },
    bullet(text: string, more: { label: string; text: string }[] = []) {
      lines(text, f.regular, 11, 4, '•');
      for (const m of more) lines(`${m.label}: ${m.text}`, f.regular, 10.5, 16);
      y -= 5;
    },
    note(text: string) {
      lines(text, f.italic, 10.5);
      y -= 6;
    },
    gap(h: number) {
      y -= h;
    },
  };
}

export async function personCopyPdf(c: PersonCopyInput): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle('Your crisis response plan');
  doc.setAuthor(c.owner.name);
  doc.setCreator('Crisis response plans');
  // A fixed date keeps the file a function of the copy alone: the same copy downloads the same bytes.
  doc.setCreationDate(new Date(c.printedAt));
  doc.setModificationDate(new Date(c.printedAt));
  const regular = await doc.embedFont(fontFiles.regular, { subset: true });
  const bold = await doc.embedFont(fontFiles.bold, { subset: true });
  // DejaVu Sans has no italic in the package the card uses: quotations are set in the regular face.
  const f: Fonts = { regular, bold, italic: regular };
  const out = flow(doc, f);
  const r = c.record;
  const p = r.plan;
  const t = c.withoutIdentifiers ? withoutNames(r) : (s: string) => s;
  const versionLine = `Version ${c.version}, published ${longDate(c.publishedAt)}`;

  out.title('Your crisis response plan');
  out.para(
    `This is your copy of the plan you made with ${c.owner.name}. If you are in crisis, the police, ambulance crews and emergency department staff who come to help you can read it, so they know what helps you and who to call.`,
  );
  out.para(
    `${versionLine}. Printed on ${longDate(c.printedAt)}. If you have a copy with a lower version number, this one replaces it.`,
    bold,
    11,
    6,
  );
  if (c.withoutIdentifiers) {
    out.note(
      'This summary leaves out your name, date of birth, NHS number and address, and the phone numbers of the people you named, so it can be sent by email. The plan responders see has them.',
    );
  } else {
    out.heading('About you');
    const s = r.subject;
    out.field('Your name', `${s.givenNames} ${s.familyName}`);
    if (s.preferredName) out.field('You like to be called', s.preferredName);
    if (s.aliases.length) out.field('Other names responders may hear', s.aliases.join(', '));
    out.field('Date of birth', longDate(s.dateOfBirth));
    if (s.nhsNumber) out.field('NHS number', s.nhsNumber.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3'));
    if (s.homeArea) out.field('Home area', s.homeArea);
    out.field('Plan reference', c.externalRef);
  }

  out.heading('When you are in crisis, responders will read this first');
  out.para(t(p.summary));

  if (p.crisisBehaviours.length) {
    out.heading('What may happen when you are in crisis');
    for (const b of p.crisisBehaviours) {
      const more = [
        ...(b.triggers ? [{ label: 'What can set it off', text: t(b.triggers) }] : []),
        ...(b.earlyWarningSigns ? [{ label: 'Early signs', text: t(b.earlyWarningSigns) }] : []),
      ];
      out.bullet(t(b.behaviour), more);
    }
  }
  if (p.whatHelps.length) {
    out.heading('What helps you');
    out.para('Responders are asked to:', regular, 11, 2);
    for (const h of p.whatHelps) out.bullet(t(h));
  }
  if (p.whatToAvoid.length) {
    out.heading('What responders will try not to do');
    for (const a of p.whatToAvoid) out.bullet(t(a));
  }
  if (p.personWillDo || p.boundaries.length) {
    out.heading('What you have agreed to do');
    if (p.personWillDo) out.para(t(p.personWillDo));
    for (const b of p.boundaries) out.bullet(t(b.boundary), [{ label: 'If this is not kept', text: t(b.ifBreached) }]);
  }
  if (p.personCanExpect) {
    out.heading('What you can expect from services');
    out.para(t(p.personCanExpect));
  }
  if (p.placesOfSafety.length) {
    out.heading('Places of safety');
    for (const s of p.placesOfSafety) out.bullet([t(s.name), s.address && t(s.address), s.phone].filter(Boolean).join(', '));
  }
  if (r.locations.length) {
    out.heading('Where responders may look for you');
    for (const l of r.locations) out.bullet(`${t(l.label)}${l.note ? ` (${t(l.note)})` : ''}`);
  }
  if (p.nominatedPeople.length || p.careTeam.length) {
    out.heading('Who we will call');
    for (const n of p.nominatedPeople) {
      const who = `${t(n.name)}${n.relationship ? `, ${t(n.relationship)}` : ''}`;
      if (n.consentToContact)
        out.bullet(`${who}${n.phone && !c.withoutIdentifiers ? `: ${n.phone}` : ''}. They agreed that responders may call them.`);
      else out.bullet(`${who}. Responders are not given their number: they have not agreed to be contacted.`);
    }
    for (const m of p.careTeam) {
      const who = [m.name, m.role, m.org]
        .filter(Boolean)
        .map((s) => t(s!))
        .join(', ');
      out.bullet(`${who}${m.phone ? `: ${m.phone}` : ''}`, m.outOfHours ? [{ label: 'Out of hours', text: t(m.outOfHours) }] : []);
    }
  }
  if (p.inTheirOwnWords) {
    out.heading('In your own words');
    out.para(`“${t(p.inTheirOwnWords)}”`);
  }
  if (p.diagnosis || p.capacity) {
    out.heading('About your health');
    out.note('Ambulance crews and emergency department staff see this part; the police do not.');
    if (p.diagnosis) out.para(t(p.diagnosis.plainLanguage ?? p.diagnosis.text));
    if (p.capacity) out.para(t(p.capacity));
  }

  out.heading('If something is wrong or has changed');
  out.para(
    `Your plan will be looked at again by ${longDate(r.governance.reviewBy)}. If anything in it is wrong, or your life has changed, tell your care team at ${c.owner.name}${c.owner.contact ? `, ${c.owner.contact}` : ''}. They will change the plan with you and give you a new copy.`,
  );
  out.para(`Every time someone opens your plan, it is recorded. You can ask ${c.owner.name} who has looked at it.`);

  // The version and date on every page: a loose page still says which plan it belongs to.
  const pages = doc.getPages();
  pages.forEach((pg, i) => {
    pg.drawRectangle({ x: 0, y: A4.h - 34, width: A4.w, height: 34, color: BAND });
    pg.drawText('YOUR CRISIS RESPONSE PLAN', { x: MARGIN, y: A4.h - 22, size: 10, font: bold, color: rgb(1, 1, 1) });
    const head = printable(versionLine);
    pg.drawText(head, {
      x: A4.w - MARGIN - regular.widthOfTextAtSize(head, 10),
      y: A4.h - 22,
      size: 10,
      font: regular,
      color: rgb(1, 1, 1),
    });
    pg.drawLine({ start: { x: MARGIN, y: BOTTOM - 18 }, end: { x: A4.w - MARGIN, y: BOTTOM - 18 }, thickness: 0.5, color: MUTED });
    const foot = printable(`${versionLine} · printed ${longDate(c.printedAt)}`);
    pg.drawText(foot, { x: MARGIN, y: BOTTOM - 32, size: 9, font: regular, color: MUTED });
    const n = `Page ${i + 1} of ${pages.length}`;
    pg.drawText(n, { x: A4.w - MARGIN - regular.widthOfTextAtSize(n, 9), y: BOTTOM - 32, size: 9, font: regular, color: MUTED });
  });
  return doc.save();
}
