import { createPrivateKey, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sha256Hex } from '../core/canonical.js';
import { createOnce, KeyFileError, readPrivateFile, readPublicFile } from '../keys/key-files.js';

/**
 * The Ed25519 key that signs access-log checkpoints, under KEYS_DIR (shared by every node). Its public
 * key is exported (`cli audit-key`) and kept elsewhere too, so that whoever can rewrite the database
 * cannot also forge the checkpoints the verifier trusts. Every public key that has ever signed stays in
 * KEYS_DIR/checkpoint-keys/, named by its key id, so a rotation leaves older checkpoints verifiable.
 */
export type AuditSigner = {
  keyId: string;
  publicKeyPem: string;
  /** Handed to the log's writer thread (a KeyObject crosses threads without being exported), which signs each commit's checkpoint. */
  privateKey: KeyObject;
};

export const auditKeyFile = (keysDir: string) => path.join(keysDir, 'audit-signing-key.pem');
export const checkpointKeysDir = (keysDir: string) => path.join(keysDir, 'checkpoint-keys');
const publicKeyFile = (keysDir: string, keyId: string) => path.join(checkpointKeysDir(keysDir), `${keyId}.pem`);

export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}

export const newSigningKeyPem = (): string => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The signing key in `file`, checked to be an Ed25519 private key; a clear error naming the file if not. */
export function signerFromFile(file: string): AuditSigner | undefined {
  const pem = readPrivateFile(file);
  return pem && signerOf(pem, `the key file ${file}`);
}

export function signerOf(pem: Buffer | string, source: string): AuditSigner {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new KeyFileError(`${source} is not a private key in PEM form`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new KeyFileError(`${source} holds a ${privateKey.asymmetricKeyType} key; checkpoints are signed with Ed25519`);
  }
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

/**
 * The current checkpoint signing key. `create` (tests, single-node start-up): made when missing, written
 * so that two processes starting at once end up with the same one. Its public key is recorded in
 * checkpoint-keys/ before anything is signed with it.
 */
export function loadAuditSigner(keysDir: string, opts: { create?: boolean } = { create: true }): AuditSigner | undefined {
  const file = auditKeyFile(keysDir);
  let signer = signerFromFile(file);
  if (!signer) {
    if (!opts.create) return undefined;
    createOnce(file, newSigningKeyPem());
    signer = signerFromFile(file)!;
  }
  recordPublicKey(keysDir, signer);
  return signer;
}

/** Keeps `signer`'s public key in checkpoint-keys/ (once; a key already there is left alone). */
export function recordPublicKey(keysDir: string, signer: Pick<AuditSigner, 'keyId' | 'publicKeyPem'>): boolean {
  const file = publicKeyFile(keysDir, signer.keyId);
  if (fs.existsSync(file)) return false;
  return createOnce(file, signer.publicKeyPem, 0o644).created;
}

/**
 * Every public key that may have signed a checkpoint of this deployment, by key id: the current key and
 * all in checkpoint-keys/. A file there whose key does not match its name is refused, naming the file
 * (a swapped-in key must not quietly vouch for checkpoints under another id).
 */
export function checkpointPublicKeys(keysDir: string): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const current = signerFromFile(auditKeyFile(keysDir));
  if (current) keys.set(current.keyId, createPublicKey(current.publicKeyPem));
  for (const [id, key] of publicKeysIn(checkpointKeysDir(keysDir))) keys.set(id, key);
  return keys;
}

/** The public keys in a checkpoint-keys directory (none if it is missing), each checked against its name. */
export function publicKeysIn(dir: string): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  for (const name of names.filter((n) => n.endsWith('.pem') && !n.startsWith('.')).sort()) {
    const file = path.join(dir, name);
    const key = publicKeyFrom(readPublicFile(file)!, `the key file ${file}`);
    const id = keyIdOf(key);
    if (name !== `${id}.pem`) throw new KeyFileError(`the key file ${file} holds the key ${id.slice(0, 16)}…, not the one its name says`);
    keys.set(id, key);
  }
  return keys;
}

/** A public key (PEM) for verifying checkpoints; a clear error naming where it came from if it is not one. */
export function publicKeyFrom(pem: Buffer | string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new KeyFileError(`${source} is not a public key in PEM form`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new KeyFileError(`${source} holds a ${key.asymmetricKeyType} key; checkpoints are signed with Ed25519`);
  return key;
}

export function verifySignature(publicKey: KeyObject, payload: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(payload), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
