import fs from 'node:fs';
import path from 'node:path';
import { syncDir, writeSyncedTemp } from '../core/durable-files.js';

/**
 * Files under KEYS_DIR. Several nodes mount one KEYS_DIR and may start at the same moment, so a key is
 * never written in place: it is written whole to a temporary file and then linked to its name, which
 * fails if the name exists, and everyone then reads whichever key won. A reader therefore never sees half
 * a key, and no node keeps a key the others do not have.
 */

/** A key file that cannot be used: the message names the file and says what to do. */
export class KeyFileError extends Error {}

/** Secrets are read whole; nothing under KEYS_DIR is anywhere near this. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * A private key file's bytes, or undefined when there is none. Refused, naming the file, when it is not a
 * regular file or others may read or write it: a key that has been readable by other users may already
 * be copied, which the operator must know about rather than have tightened away.
 */
export function readPrivateFile(file: string): Buffer | undefined {
  return readKeyFile(file, { ownerOnly: true });
}

/** A public key file's bytes (any mode), or undefined when there is none. */
export function readPublicFile(file: string): Buffer | undefined {
  return readKeyFile(file, { ownerOnly: false });
}

function readKeyFile(file: string, opts: { ownerOnly: boolean }): Buffer | undefined {
  let fd: number;
  try {
    // Non-blocking: a FIFO put in the key's place must not hang start-up.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new KeyFileError(`cannot read the key file ${file}: ${code ?? (e as Error).message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new KeyFileError(`the key file ${file} is not a regular file`);
    if (opts.ownerOnly && (st.mode & 0o077) !== 0) {
      throw new KeyFileError(
        `the key file ${file} has mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}: other users may read it. ` +
          `If it may have been copied, replace it (README "Keys"); otherwise: chmod 600 ${file}`,
      );
    }
    if (st.size > MAX_KEY_FILE_BYTES) throw new KeyFileError(`the key file ${file} is ${st.size} bytes: not a key`);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes KEYS_DIR (0700) if it is missing. */
export function ensureDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Writes `content` as `file` unless the file exists; `created` says whether ours is the one there now.
 * Whoever wins, the caller reads the file afterwards and uses that.
 */
export function createOnce(file: string, content: Buffer | string, mode = 0o600): { created: boolean } {
  const dir = path.dirname(file);
  ensureDir(dir);
  const tmp = writeSyncedTemp(file, content, mode);
  let created: boolean;
  try {
    fs.linkSync(tmp, file);
    created = true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') created = false;
    else if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') created = copyExclusive(tmp, file);
    else throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  if (created) syncDir(dir);
  return { created };
}

/** For a file system without hard links: exclusive create, then the bytes (a reader may see it empty for an instant). */
function copyExclusive(from: string, to: string): boolean {
  try {
    fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Replaces `file` whole (a rotation: the one time a key file is meant to change). */
export function replaceFile(file: string, content: Buffer | string, mode = 0o600): void {
  const dir = path.dirname(file);
  ensureDir(dir);
  const tmp = writeSyncedTemp(file, content, mode);
  fs.renameSync(tmp, file);
  syncDir(dir);
}
