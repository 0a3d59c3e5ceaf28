// npm run screenshots — starts the real service (npm start's code) on an empty temp data directory with
// the demo set, signs in as demo people and photographs every page listed in scripts/screenshots/*.shots.ts
// in light and dark, at the sizes each shot names (desk 1366×768 by default). Writes screenshots/*.png
// and prints each page's HTML size as transferred (compressed when the server compresses).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM, chromiumArgs } from '../../test/browser/launch.js';
import { sizes, type Shot, type ShotContext } from './shot.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const outDir = path.join(root, 'screenshots');

async function startService(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-screens-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', AUTH_DEV: 'on', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'ready' && entry.url) resolve(entry.url);
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`the service exited (${code}) before it was ready`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function loadShots(): Promise<Shot[]> {
  const files = fs
    .readdirSync(here)
    .filter((f) => f.endsWith('.shots.ts'))
    .sort();
  const lists = await Promise.all(
    files.map(async (f) => ((await import(pathToFileURL(path.join(here, f)).href)) as { shots: Shot[] }).shots),
  );
  return lists.flat();
}

async function signIn(context: BrowserContext, baseUrl: string, sub: string, purpose?: string) {
  const form = (data: Record<string, string>) => ({ form: data, headers: { origin: baseUrl }, maxRedirects: 0 });
  const r = await context.request.post(`${baseUrl}/sign-in`, form({ user: sub, return: '/' }));
  if (r.status() !== 303) throw new Error(`demo sign-in as ${sub} answered ${r.status()}`);
  if (purpose) {
    const p = await context.request.post(`${baseUrl}/purpose`, form({ purpose, return: '/' }));
    if (p.status() !== 303) throw new Error(`stating a purpose answered ${p.status()}`);
  }
}

async function main() {
  const only = process.argv.slice(2);
  const shots = (await loadShots()).filter((s) => only.length === 0 || only.some((o) => s.name.includes(o)));
  fs.mkdirSync(outDir, { recursive: true });
  const service = await startService();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs });
  let planId: string | undefined;
  const ctx: ShotContext = {
    baseUrl: service.url,
    // Found once: each look-up is a search, and searches are limited per person (SEARCH_BURST).
    async anyPlanId() {
      if (planId) return planId;
      const context = await browser.newContext();
      await signIn(context, service.url, 'demo.paramedic', 'INC-2026-0042 screenshots');
      const page = await context.newPage();
      await page.goto(`${service.url}/?q=smith`);
      const href = await page.getAttribute('a[href^="/plans/"]', 'href');
      await context.close();
      if (!href) throw new Error('no plan found to photograph');
      return (planId = href.split('/')[2]!.split('?')[0]!);
    },
  };
  const rows: string[] = [];
  try {
    for (const shot of shots) {
      for (const sizeName of shot.sizes ?? ['desk']) {
        for (const colorScheme of ['light', 'dark'] as const) {
          const context = await browser.newContext({ viewport: sizes[sizeName], colorScheme });
          if (shot.as) await signIn(context, service.url, shot.as, shot.purpose);
          const page = await context.newPage();
          let htmlBytes = 0;
          page.on('response', async (r) => {
            if (r.request().resourceType() === 'document') htmlBytes = (await r.request().sizes()).responseBodySize;
          });
          if (shot.open) await shot.open(page, ctx);
          else await page.goto(`${service.url}${shot.path ?? '/'}`);
          await page.waitForLoadState('load');
          const file = `${shot.name}-${sizeName}-${colorScheme}.png`;
          await page.screenshot({ path: path.join(outDir, file), fullPage: false });
          if (colorScheme === 'light')
            rows.push(`| ${shot.name} | ${sizeName} | ${new URL(page.url()).pathname} | ${(htmlBytes / 1024).toFixed(1)} KB |`);
          await context.close();
        }
      }
    }
  } finally {
    await browser.close();
    await service.stop();
  }
  console.log(['| page | size | path | HTML transferred |', '| --- | --- | --- | ---: |', ...rows].join('\n'));
  console.log(`wrote ${rows.length * 2} screenshots to ${path.relative(process.cwd(), outDir)}/`);
}

await main();
