import { createPrivateKey, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sha256Hex } from '../core/canonical.js';

/**
 * The Ed25519 key that signs access-log checkpoints. The private key stays under DATA_DIR; the public key
 * is exported (`cli audit-key`) and kept elsewhere, so that whoever can rewrite the database cannot also
 * forge the checkpoints the verifier trusts.
 */
export type AuditSigner = {
  keyId: string;
  publicKeyPem: string;
  /** Handed to the log's writer thread (a KeyObject crosses threads without being exported), which signs each commit's checkpoint. */
  privateKey: KeyObject;
};

export const auditKeyFile = (dataDir: string) => path.join(dataDir, 'keys', 'audit-signing-key.pem');

export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}

export function loadAuditSigner(dataDir: string, opts: { create?: boolean } = { create: true }): AuditSigner | undefined {
  const file = auditKeyFile(dataDir);
  if (!fs.existsSync(file)) {
    if (!opts.create) return undefined;
    const { privateKey } = generateKeyPairSync('ed25519');
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      // Two processes starting at once: keep whichever key was written first.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const privateKey = createPrivateKey(fs.readFileSync(file));
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey,
  };
}

export function verifySignature(publicKey: KeyObject, payload: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(payload), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
