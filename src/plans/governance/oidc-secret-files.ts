import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../../../db/runtime.js';
import { sealClientSecret } from '../oidc-config.js';
import { sealSecretFileRow, secretFileRows } from '../oidc-store.js';
import type { SecretBox } from '../keys/secrets.js';

/** A client secret file is a line of text; anything bigger is not one. */
const MAX_SECRET_BYTES = 4096;

export type SecretFileOutcome = { org: string; file: string } & (
  | { sealed: true; removed: boolean }
  | { sealed: false; problem: 'unreadable' | 'not-a-file' | 'too-large' | 'empty' }
);

/**
 * At start-up: OpenID client secrets recorded as files (DATA_DIR/oidc/, before KEYS_DIR) are read once,
 * sealed with the secrets key and stored in the database in place of the path. A file under this node's
 * DATA_DIR/oidc is then deleted (the secret must not lie about in clear, nor in a copy of DATA_DIR); a file
 * elsewhere is the operator's and is left alone. A file this node cannot read stays recorded, and that
 * provider unusable, until a node that can read it starts or an administrator sets the secret again.
 * Nodes starting together each try; the update only applies while the row still names the file.
 */
export async function sealSecretFiles(db: Store, box: SecretBox, dataDir: string): Promise<SecretFileOutcome[]> {
  const out: SecretFileOutcome[] = [];
  const ours = path.resolve(dataDir, 'oidc');
  for (const { org, file } of await secretFileRows(db)) {
    const read = readSecretFile(file);
    if (!read.ok) {
      // Another node may have sealed it and removed the file a moment ago.
      if (!(await secretFileRows(db)).some((r) => r.org === org && r.file === file)) continue;
      out.push({ org, file, sealed: false, problem: read.problem });
      continue;
    }
    if ((await sealSecretFileRow(db, org, file, sealClientSecret(box, org, read.secret))) === 0) continue;
    const removable = path.dirname(path.resolve(file)) === ours;
    if (removable) fs.rmSync(file, { force: true });
    out.push({ org, file, sealed: true, removed: removable });
  }
  if (fs.existsSync(ours) && fs.readdirSync(ours).length === 0) fs.rmdirSync(ours);
  return out;
}

function readSecretFile(
  file: string,
): { ok: true; secret: string } | { ok: false; problem: 'unreadable' | 'not-a-file' | 'too-large' | 'empty' } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return { ok: false, problem: 'unreadable' };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { ok: false, problem: 'not-a-file' };
    if (st.size > MAX_SECRET_BYTES) return { ok: false, problem: 'too-large' };
    const secret = fs.readFileSync(fd, 'utf8').trim();
    return secret ? { ok: true, secret } : { ok: false, problem: 'empty' };
  } catch {
    return { ok: false, problem: 'unreadable' };
  } finally {
    fs.closeSync(fd);
  }
}
