import fs from 'node:fs';
import path from 'node:path';

/**
 * DATA_DIR holds plans, the access log and signing keys: only the service's own user may read it.
 * New directories are made 0700 and files 0600; an existing one with looser modes is tightened rather
 * than refused (a data directory copied with `cp -r` under a 022 umask should not stop a restart), and
 * each path tightened is returned so the caller can say so.
 */
export function restrict(target: string, mode: 0o700 | 0o600): string[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  if ((st.mode & 0o777 & ~mode) === 0) return [];
  fs.chmodSync(target, mode);
  return [target];
}

/**
 * Creates DATA_DIR (0700) if needed and tightens it, the database, its key directory and Meilisearch's key.
 * Key files are not tightened: one readable by others may have been copied, so src/plans/keys refuses it.
 */
export function secureDataDir(dataDir: string, databaseFile: string): string[] {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tightened = restrict(dataDir, 0o700);
  for (const dir of ['keys', 'meili']) {
    const full = path.join(dataDir, dir);
    tightened.push(...restrict(full, 0o700));
    if (!fs.existsSync(full)) continue;
    for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
      if (entry.isFile() && entry.name === 'master-key') tightened.push(...restrict(path.join(full, entry.name), 0o600));
    }
  }
  return [...tightened, ...secureDatabaseFiles(databaseFile)];
}

/** The database and its WAL and shared-memory files: SQLite gives the latter the database file's mode. */
export function secureDatabaseFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`].flatMap((f) => restrict(f, 0o600));
}
