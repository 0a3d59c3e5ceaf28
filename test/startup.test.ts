import { describe, expect, it } from 'vitest';
import { loadConfig, resolveAuthDev } from '../src/config.js';
import { runTs, startService } from './cli/helpers.js';
import { sql } from 'drizzle-orm';
import { countRows, databaseFile, openDatabase, tempDir } from './helpers.js';

describe('configuration', () => {
  it('the development issuer is on only for loopback with no issuer configured, unless set', () => {
    expect(resolveAuthDev({ host: '127.0.0.1' }, false)).toEqual({ ok: true, authDev: true });
    expect(resolveAuthDev({ host: 'localhost' }, true)).toEqual({ ok: true, authDev: false });
    expect(resolveAuthDev({ host: '0.0.0.0' }, false)).toEqual({ ok: true, authDev: false });
    expect(resolveAuthDev({ host: '127.0.0.1', authDev: false }, false)).toEqual({ ok: true, authDev: false });
    expect(resolveAuthDev({ host: '0.0.0.0', authDev: true }, false).ok).toBe(false);
    expect(resolveAuthDev({ host: '10.1.2.3', authDev: true }, true).ok).toBe(false);
    expect(resolveAuthDev({ host: '::1', authDev: true }, false)).toEqual({ ok: true, authDev: true });
  });

  it('names each bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ MEILI_URL: 'http://127.0.0.1:7700' })).toThrow(/MEILI_KEY/);
    expect(() => loadConfig({ AUTH_DEV: 'maybe' })).toThrow(/AUTH_DEV/);
    expect(loadConfig({}).port).toBe(8080);
  });
});

describe('npm start', () => {
  it('refuses to serve a public address with the development issuer on', async () => {
    const res = await runTs('src/main.ts', ['--no-demo'], { DATA_DIR: tempDir(), HOST: '0.0.0.0', PORT: '0', AUTH_DEV: 'on' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Refusing to start: the development issuer \(AUTH_DEV\) is on while HOST=0\.0\.0\.0/);
  });

  it('exits with a clear message on bad configuration', async () => {
    const res = await runTs('src/main.ts', [], { DATA_DIR: tempDir(), PORT: 'eighty' });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/PORT/);
  });
});

describe('npm start on an empty data directory', () => {
  it('loads the demo set, prints the URL and demo sign-in, serves /healthz, and stops cleanly', async () => {
    const dir = tempDir();
    const svc = await startService({ DATA_DIR: dir });
    try {
      const health = await fetch(`${svc.url}/healthz`);
      expect(health.status).toBe(200);
      expect((await health.json()).status).toBe('ok');
      const out = svc.output().stdout;
      expect(out).toMatch(/Police response officer\s+npm run cli -- token --sub demo.officer --org capital-police --role responder/);
      const db = openDatabase(databaseFile(dir));
      expect(await countRows(db, 'plans', sql`current_version_id IS NOT NULL`)).toBe(500);
      await db.close();
    } finally {
      expect(await svc.stop()).toBe(0);
    }
  });
});
