import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { SignedCheckpoint } from './chain.js';

/**
 * A signed checkpoint as it leaves the machine: a witness file, or what `cli audit-checkpoint` prints for a
 * person to keep. The same fields as the signed payload (chain.ts checkpointPayload) plus the signature, so
 * whoever holds one can check it against any copy of the database with nothing but the public key.
 */
export const witnessedCheckpointSchema = z.object({
  kind: z.literal('access-log-checkpoint'),
  at: z.iso.datetime(),
  headSeq: z.number().int().positive(),
  headHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  keyId: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  signature: z.base64(),
});
export type WitnessedCheckpoint = z.infer<typeof witnessedCheckpointSchema>;

export const witnessedForm = (c: SignedCheckpoint): WitnessedCheckpoint => ({
  kind: 'access-log-checkpoint',
  at: c.at,
  headSeq: c.headSeq,
  headHash: c.headHash,
  keyId: c.keyId,
  signature: c.signature,
});

// The newest checkpoint in the database is events-store.ts latestCheckpoint.
export { latestCheckpoint } from './events-store.js';

// Witness directory layout (witness.ts writes it): one folder per UTC day of the checkpoint's time, one file
// per checkpoint named by its head's seq, zero-padded so names sort as numbers. Never a file rewritten:
// write-once storage refuses overwrites, and "the newest" is simply the greatest name.
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const FILE = /^\d{15}\.json$/;
export const witnessFolder = (c: Pick<SignedCheckpoint, 'at'>) => c.at.slice(0, 10);
export const witnessFileName = (c: Pick<SignedCheckpoint, 'headSeq'>) => `${String(c.headSeq).padStart(15, '0')}.json`;

export class WitnessReadError extends Error {}

/** One checkpoint read from a witness, and the file it came from. */
export type WitnessEntry = { file: string; checkpoint: WitnessedCheckpoint };

/**
 * What a witness holds: `where` is one checkpoint file (a witness file, or a saved `audit-checkpoint`
 * printout), or a witness directory. Every checkpoint in it is read, oldest day first, one at a time (a
 * busy year is millions of files): the newest alone would not do, since a log cut and then written on
 * catches up with it and its newer checkpoints match the new chain, while the older witness files still
 * name heads the log no longer has.
 */
export function* readWitness(where: string): Generator<WitnessEntry> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(where);
  } catch (e) {
    throw new WitnessReadError(`cannot read the witness ${where}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!stat.isDirectory()) {
    yield readWitnessFile(where);
    return;
  }
  let found = false;
  for (const day of fs
    .readdirSync(where)
    .filter((d) => DAY.test(d))
    .sort()) {
    // Temporary files (a write under way, or one cut short) start with a dot and are passed over.
    for (const f of fs
      .readdirSync(path.join(where, day))
      .filter((f) => FILE.test(f))
      .sort()) {
      found = true;
      yield readWitnessFile(path.join(where, day, f));
    }
  }
  if (!found) throw new WitnessReadError(`the witness directory ${where} holds no checkpoint`);
}

function readWitnessFile(file: string): WitnessEntry {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new WitnessReadError(`cannot read the witness file ${file}: ${(e as Error).message}`);
  }
  const parsed = witnessedCheckpointSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
    throw new WitnessReadError(`the witness file ${file} is not a checkpoint: ${fields}`);
  }
  return { file, checkpoint: parsed.data };
}
