import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureTestTools, onPath, postgresBinDir, requirements, type Requirement } from '../../scripts/test-setup.js';

// Not test/helpers.ts's tempDir: that module loads the whole app, seconds of import for a file-system test.
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpl-setup-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** An executable file at `file` (what the probes look for). */
function executable(file: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\n');
  fs.chmodSync(file, 0o755);
}

/** A requirement probed on a real path in a temp dir: missing until `install` puts the binary there. */
function fakeTool(dir: string, pkg: string) {
  const file = path.join(dir, 'bin', pkg);
  const req: Requirement = { what: `${pkg} (${file})`, pkg, present: () => onPath(pkg, path.dirname(file)) };
  return { req, file, install: () => executable(file) };
}

describe('npm test set-up (scripts/test-setup.ts)', () => {
  it('everything this machine runs the suite with is present, so npm test runs no apt-get here', () => {
    const ran: string[][] = [];
    const result = ensureTestTools({ requirements, env: {}, run: (argv) => (ran.push(argv), 0), aptAccess: () => [] });
    expect(result).toEqual({ ok: true, installed: [] });
    expect(ran).toEqual([]);
  });

  it('installs what is missing with apt-get, noninteractive and quiet, and checks again', () => {
    const dir = tempDir();
    const present = fakeTool(dir, 'here');
    present.install();
    const missing = fakeTool(dir, 'gone');
    const ran: string[][] = [];
    const lines: string[] = [];
    const result = ensureTestTools({
      requirements: [present.req, missing.req],
      env: {},
      aptAccess: () => ['sudo'],
      run: (argv) => {
        ran.push(argv);
        if (argv.includes('install')) missing.install();
        return 0;
      },
      log: (l) => lines.push(l),
    });
    expect(result).toEqual({ ok: true, installed: ['gone'] });
    expect(ran).toEqual([
      ['sudo', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'update', '-qq'],
      ['sudo', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', 'gone'],
    ]);
    expect(lines.join('\n')).toMatch(/installing gone with apt-get \(TEST_INSTALL=0 stops instead\)/);
  });

  it('TEST_INSTALL=0 installs nothing and says exactly what to install', () => {
    const dir = tempDir();
    const a = fakeTool(dir, 'chromium');
    const b = fakeTool(dir, 'postgresql');
    const ran: string[][] = [];
    const result = ensureTestTools({
      requirements: [a.req, b.req],
      env: { TEST_INSTALL: '0' },
      aptAccess: () => [],
      run: (argv) => (ran.push(argv), 0),
    });
    expect(ran).toEqual([]);
    expect(result.ok).toBe(false);
    const message = (result as { message: string }).message;
    expect(message).toContain('TEST_INSTALL=0');
    expect(message).toContain(`chromium (${a.file}): Debian package chromium`);
    expect(message).toMatch(/apt-get install -y chromium postgresql\n/);
  });

  it('a user who may not run apt-get is told the command, with sudo when not root, and the run stops', () => {
    const dir = tempDir();
    const a = fakeTool(dir, 'poppler-utils');
    const ran: string[][] = [];
    const result = ensureTestTools({ requirements: [a.req], env: {}, aptAccess: () => undefined, run: (argv) => (ran.push(argv), 0) });
    expect(ran).toEqual([]);
    expect(result.ok).toBe(false);
    const message = (result as { message: string }).message;
    expect(message).toMatch(/cannot run apt-get/);
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    expect(message).toContain(`${sudo}apt-get update && ${sudo}apt-get install -y poppler-utils`);
  });

  it('a failed apt-get, or a package that did not bring the tool, stops the run with the reason', () => {
    const dir = tempDir();
    const a = fakeTool(dir, 'postgresql');
    const failing = ensureTestTools({
      requirements: [a.req],
      env: {},
      aptAccess: () => [],
      run: (argv) => (argv.includes('install') ? 100 : 0),
      log: () => {},
    });
    expect(failing).toMatchObject({ ok: false, message: expect.stringMatching(/apt-get install failed/) });
    const useless = ensureTestTools({ requirements: [a.req], env: {}, aptAccess: () => [], run: () => 0, log: () => {} });
    expect(useless).toMatchObject({
      ok: false,
      message: expect.stringMatching(/installed postgresql, but these are still missing:\n {2}- postgresql/),
    });
  });

  it('finds the newest PostgreSQL server of at least 15 with both initdb and pg_ctl', () => {
    const root = tempDir();
    expect(postgresBinDir(path.join(root, 'none'))).toBeUndefined();
    executable(path.join(root, '14', 'bin', 'initdb'));
    executable(path.join(root, '14', 'bin', 'pg_ctl'));
    expect(postgresBinDir(root)).toBeUndefined();
    executable(path.join(root, '15', 'bin', 'initdb'));
    executable(path.join(root, '15', 'bin', 'pg_ctl'));
    expect(postgresBinDir(root)).toBe(path.join(root, '15', 'bin'));
    executable(path.join(root, '17', 'bin', 'initdb')); // no pg_ctl: a client-only or half-removed install
    expect(postgresBinDir(root)).toBe(path.join(root, '15', 'bin'));
    executable(path.join(root, '17', 'bin', 'pg_ctl'));
    expect(postgresBinDir(root)).toBe(path.join(root, '17', 'bin'));
  });
});
