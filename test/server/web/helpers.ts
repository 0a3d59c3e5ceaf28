import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import jsqrModule from 'jsqr';
import { PDFDocument, PDFName, type PDFNumber, PDFRawStream } from 'pdf-lib';
import { PNG } from 'pngjs';
import type { TestApp } from '../../helpers.js';
import { keepCookies } from '../../cookie-jar.js';

// jsqr is CommonJS typed as an ES default export: take whichever shape the loader hands over.
const jsQR = ((jsqrModule as unknown as { default?: unknown }).default ?? jsqrModule) as unknown as typeof jsqrModule.default;

/**
 * A minimal browser for the server-rendered pages: keeps cookies, sends form posts with this site's
 * Origin as a real browser does, and does not follow redirects so tests can check each hop.
 */
export function browser(t: Pick<TestApp, 'app'>, origin = 'http://localhost') {
  const jar = new Map<string, string>();
  async function go(method: string, url: string, form?: Record<string, string>, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers };
    if (jar.size) h.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) {
      h['content-type'] = 'application/x-www-form-urlencoded';
      if (origin) h.origin ??= origin;
    }
    const res = await t.app.request(url, { method, headers: h, body: form ? new URLSearchParams(form).toString() : undefined });
    keepCookies(jar, res);
    return { status: res.status, location: res.headers.get('location'), headers: res.headers, text: await res.text() };
  }
  return {
    jar,
    get: (url: string) => go('GET', url),
    post: (url: string, form: Record<string, string>, headers?: Record<string, string>) => go('POST', url, form, headers),
    async signIn(sub: string) {
      const res = await go('POST', '/sign-in', { user: sub, return: '/' });
      if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
    },
    async statePurpose(purpose = 'INC-2026-0042 scanned card') {
      const res = await go('POST', '/purpose', { purpose, return: '/' });
      if (res.status !== 303) throw new Error(`purpose failed: ${res.status}`);
    },
  };
}
export type Browser = ReturnType<typeof browser>;

/** A browser signed in as a demo user (development issuer), with a purpose stated when one is given. */
export async function signedIn(t: Pick<TestApp, 'app'>, sub: string, purpose?: string): Promise<Browser> {
  const b = browser(t);
  await b.signIn(sub);
  if (purpose) await b.statePurpose(purpose);
  return b;
}

/** Decodes a QR code from RGBA pixels. */
export const decodeRgba = (data: Uint8Array, width: number, height: number) =>
  jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), width, height)?.data;

export function decodePng(png: Buffer): string | undefined {
  const img = PNG.sync.read(png);
  return decodeRgba(img.data, img.width, img.height);
}

/** Finds the colour image embedded in the PDF (the QR code), inflates it and decodes it. */
export async function decodePdfImage(pdf: Uint8Array): Promise<string | undefined> {
  const doc = await PDFDocument.load(pdf);
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFRawStream)) continue;
    const dict = obj.dict;
    if (dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
    if (dict.get(PDFName.of('ColorSpace')) !== PDFName.of('DeviceRGB')) continue;
    const width = (dict.get(PDFName.of('Width')) as PDFNumber).asNumber();
    const height = (dict.get(PDFName.of('Height')) as PDFNumber).asNumber();
    const rgb = zlib.inflateSync(obj.contents);
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0, j = 0; i < width * height; i++, j += 3) {
      rgba.set([rgb[j]!, rgb[j + 1]!, rgb[j + 2]!, 255], i * 4);
    }
    return decodeRgba(rgba, width, height);
  }
  return undefined;
}

/** poppler-utils is a test dependency (`npm test` installs it); say so plainly when it is missing. */
function poppler(tool: 'pdftoppm' | 'pdftotext', args: string[]): string {
  try {
    return execFileSync(tool, args, { encoding: 'utf8' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${tool} not found: run npm test (it installs what the tests need) or apt-get install -y poppler-utils`);
    throw e;
  }
}

/** Renders the PDF's first page with poppler's pdftoppm and decodes the QR. */
export function renderPdf(pdf: Uint8Array, dir: string, dpi = 200): { png: Buffer; file: string } {
  const input = path.join(dir, 'card.pdf');
  fs.writeFileSync(input, pdf);
  const out = path.join(dir, 'card');
  poppler('pdftoppm', ['-png', '-r', String(dpi), '-singlefile', input, out]);
  const file = `${out}.png`;
  return { png: fs.readFileSync(file), file };
}

/** The card's printed text, as poppler extracts it. */
export function pdfText(pdf: Uint8Array, dir: string): string {
  const input = path.join(dir, 'card-text.pdf');
  fs.writeFileSync(input, pdf);
  return poppler('pdftotext', ['-layout', input, '-']);
}
