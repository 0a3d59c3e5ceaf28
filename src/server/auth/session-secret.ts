import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The web-session signing secret, kept under DATA_DIR so sessions survive a restart. */
export function loadSessionSecret(dataDir: string): string {
  const file = path.join(dataDir, 'keys', 'session-secret');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return fs.readFileSync(file, 'utf8').trim();
}
