import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startService } from './cli/helpers.js';
import { tempDir } from './helpers.js';

const modeOf = (p: string) => fs.statSync(p).mode & 0o777;

/** The private key files of KEYS_DIR (default DATA_DIR/keys); checkpoint-keys/ holds public keys only. */
const keyFiles = (dir: string) =>
  fs
    .readdirSync(path.join(dir, 'keys'), { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(dir, 'keys', e.name));

/** Every path under DATA_DIR that holds plans, the access log or a secret, with the mode it must have. */
function sensitive(dir: string, opts: { keys: boolean } = { keys: true }): [string, number][] {
  return [
    [dir, 0o700],
    [path.join(dir, 'plans.sqlite'), 0o600],
    [path.join(dir, 'plans.sqlite-wal'), 0o600],
    [path.join(dir, 'plans.sqlite-shm'), 0o600],
    [path.join(dir, 'keys'), 0o700],
    ...(opts.keys ? keyFiles(dir).map((f): [string, number] => [f, 0o600]) : []),
    [path.join(dir, 'meili'), 0o700],
    [path.join(dir, 'meili', 'master-key'), 0o600],
  ];
}

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

describe('local secrets', () => {
  it('creates DATA_DIR 0700 and its database, WAL and keys 0600; the managed Meilisearch gets its key from the environment', async () => {
    const dir = path.join(tempDir(), 'data');
    const svc = await startService({ DATA_DIR: dir });
    try {
      const found = sensitive(dir);
      expect(found.length).toBeGreaterThanOrEqual(10); // three keys (audit, dev issuer, secrets)
      for (const [p, mode] of found) expect([p, modeOf(p).toString(8)]).toEqual([p, mode.toString(8)]);

      const pid = Number(fs.readFileSync(path.join(dir, 'meili', 'meilisearch.pid'), 'utf8'));
      const key = fs.readFileSync(path.join(dir, 'meili', 'master-key'), 'utf8').trim();
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(cmdline.join(' ')).toContain('--max-indexing-memory');
      expect(cmdline.join(' ')).not.toContain(key);
      expect(cmdline).not.toContain('--master-key');
      expect(fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain(`MEILI_MASTER_KEY=${key}`);

      // Once the 500 demo plans are indexed, the index answers with the key and stays small in memory.
      const stats = async () => {
        const res = await fetch(`http://127.0.0.1:${portOf(cmdline)}/indexes/plans/stats`, {
          headers: { authorization: `Bearer ${key}` },
        });
        return res.ok ? ((await res.json()) as { numberOfDocuments: number; isIndexing: boolean }) : undefined;
      };
      for (let i = 0; i < 300; i++) {
        const s = await stats();
        if (s && s.numberOfDocuments === 500 && !s.isIndexing) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await stats())?.numberOfDocuments).toBe(500);
      const rss = rssKiB(pid);
      console.info(`managed meilisearch RSS after indexing 500 plans: ${Math.round(rss / 1024)} MiB`);
      expect(rss).toBeLessThan(400 * 1024);
    } finally {
      expect(await svc.stop()).toBe(0);
    }
  }, 90_000);

  it('tightens an existing DATA_DIR with looser modes, and says so; a key file readable by others is refused instead', async () => {
    const dir = path.join(tempDir(), 'data');
    const first = await startService({ DATA_DIR: dir }, ['--no-demo']);
    expect(await first.stop()).toBe(0);
    // A key others could read may have been copied: the operator must decide, so start-up stops and says which.
    const [key] = keyFiles(dir);
    fs.chmodSync(key!, 0o644);
    await expect(startService({ DATA_DIR: dir }, ['--no-demo'])).rejects.toThrow(`Refusing to start: the key file ${key} has mode 0644`);
    fs.chmodSync(key!, 0o600);
    const found = sensitive(dir, { keys: false }).filter(([p]) => fs.existsSync(p));
    for (const [p, mode] of found) fs.chmodSync(p, mode === 0o700 ? 0o755 : 0o644);

    const again = await startService({ DATA_DIR: dir }, ['--no-demo']);
    try {
      for (const [p, mode] of found) expect([p, modeOf(p).toString(8)]).toEqual([p, mode.toString(8)]);
      expect(again.output().stdout + again.output().stderr).toContain('tightened to 0700/0600');
    } finally {
      expect(await again.stop()).toBe(0);
    }
  }, 90_000);
});

function portOf(cmdline: string[]): string {
  return cmdline[cmdline.indexOf('--http-addr') + 1]!.split(':')[1]!;
}
