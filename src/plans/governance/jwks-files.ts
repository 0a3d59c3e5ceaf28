import fs from 'node:fs';
import { listOrganisations, lockOrganisation } from '../organisations.js';
import { setJwksFrom } from '../organisation-store.js';
import { inlineJwksSchema, MAX_JWKS_BYTES } from '../jwks.js';
import { governed, type GovernanceDeps } from './log.js';
import { fail, ok, type Result } from '../core/result.js';

/**
 * Key sets kept as files. The service itself never opens a path from the register any more (jwks.ts);
 * only the operator at the machine may name a file, and it is read once, validated as a public key set
 * and stored inline: by `org add --jwks FILE`, and once at start-up for rows recorded before this rule.
 */

export type JwksFileProblem = 'unreadable' | 'not-a-file' | 'too-large' | 'not-a-key-set';
const problemText: Record<JwksFileProblem, string> = {
  unreadable: 'cannot be opened',
  'not-a-file': 'is not a regular file',
  'too-large': `is larger than a key set can be (${MAX_JWKS_BYTES / 1024} KB)`,
  'not-a-key-set': 'is not a JSON key set of public keys ({"keys": [...]})',
};
/** Why a file was not taken, in words that never quote the file. */
export const jwksFileProblemText = (p: JwksFileProblem) => problemText[p];

/**
 * One read of a key set file, and its compact JSON. Opened non-blocking and checked to be a regular file
 * of bounded size before a byte is read, so a FIFO, a device or a huge file cannot stall or swell the
 * process; what the file says is never repeated in an error.
 */
export function readJwksFile(file: string): Result<string> & { problem?: JwksFileProblem } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return { ...fail('invalid', problemText.unreadable), problem: 'unreadable' };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { ...fail('invalid', problemText['not-a-file']), problem: 'not-a-file' };
    if (st.size > MAX_JWKS_BYTES) return { ...fail('invalid', problemText['too-large']), problem: 'too-large' };
    const buf = Buffer.alloc(MAX_JWKS_BYTES + 1);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    if (n > MAX_JWKS_BYTES) return { ...fail('invalid', problemText['too-large']), problem: 'too-large' };
    let json: unknown;
    try {
      json = JSON.parse(buf.subarray(0, n).toString('utf8'));
    } catch {
      return { ...fail('invalid', problemText['not-a-key-set']), problem: 'not-a-key-set' };
    }
    const keys = inlineJwksSchema.safeParse(json);
    if (!keys.success) return { ...fail('invalid', problemText['not-a-key-set']), problem: 'not-a-key-set' };
    return ok(JSON.stringify(keys.data));
  } catch {
    return { ...fail('invalid', problemText.unreadable), problem: 'unreadable' };
  } finally {
    fs.closeSync(fd);
  }
}

/** A stored value that is neither a URL nor an inline key set: a file path from before. */
const isPath = (jwks: string) => !jwks.startsWith('{') && !/^[a-z][a-z0-9+.-]*:/i.test(jwks);

export type AdoptedJwksFile = { org: string; file: string } & ({ adopted: true } | { adopted: false; problem: JwksFileProblem });

/**
 * At start-up: every organisation whose key set is still a file path gets the file's key set stored
 * inline (read once, as `org add --jwks FILE` does), or, when the file is not a usable public key set,
 * no key set at all (its bearer tokens are refused until an operator sets one). Either way the path is
 * gone from the register, and the change is a governance event like any other.
 */
export async function adoptJwksFiles(deps: GovernanceDeps): Promise<AdoptedJwksFile[]> {
  const done: AdoptedJwksFile[] = [];
  for (const org of await listOrganisations(deps.db)) {
    if (!org.jwks || !isPath(org.jwks)) continue;
    const file = org.jwks;
    const read = readJwksFile(file);
    const to = read.ok ? read.value : null;
    const r = await governed(deps, { via: 'cli', user: 'start-up' }, { op: 'organisation.jwks-file', target: org.slug }, () =>
      ok({
        orgs: [org.slug],
        changes: { jwks: { from: file, to: read.ok ? 'the key set read from the file, stored inline' : null } },
        reason: read.ok ? 'key set files are read once and kept in the register' : `key set file ${problemText[read.problem!]}: removed`,
        *apply(q) {
          yield* lockOrganisation(org.slug);
          // Unchanged meanwhile (another process may have adopted it already).
          return (yield* setJwksFrom(deps.db, q, org.slug, file, to)) ? ok(true) : fail('conflict', 'changed meanwhile');
        },
      }),
    );
    if (r.ok) done.push(read.ok ? { org: org.slug, file, adopted: true } : { org: org.slug, file, adopted: false, problem: read.problem! });
  }
  return done;
}
