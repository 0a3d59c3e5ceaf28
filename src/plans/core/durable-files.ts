import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `content` written whole and synced to a new temporary file beside `file` (mode `mode`, whatever the
 * umask), for the caller to link or rename into place: a reader never sees half a file.
 */
export function writeSyncedTemp(file: string, content: Buffer | string, mode: number): string {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  // The umask may have taken bits away, never added them; but a copy must not keep a looser mode either.
  fs.chmodSync(tmp, mode);
  return tmp;
}

/** Makes a new name in `dir` durable. */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems (and network mounts) refuse fsync on a directory; the file itself is synced.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
