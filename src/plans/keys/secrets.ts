import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { fail, ok, type Result } from '../core/result.js';

/**
 * Secrets the service must give back to someone else (an organisation's OpenID client secret), kept in
 * the database sealed with KEYS_DIR's secrets key: AES-256-GCM, a fresh 96-bit nonce each time. The
 * additional data names what the secret is for (its purpose and the organisation), so a ciphertext copied
 * onto another organisation's row does not open. A copy of the database, or a backup, holds no secret in
 * clear; whoever also has KEYS_DIR has them all, which is why KEYS_DIR is backed up apart from it.
 */
export const SECRETS_KEY_BYTES = 32;

export type Sealed = { keyId: string; ciphertext: string };

export type SecretBox = {
  /** The id of the key new secrets are sealed with (a digest of the key, never the key). */
  keyId: string;
  seal(purpose: string, owner: string, secret: string): Sealed;
  /** `unknown-key`: sealed by another KEYS_DIR's key; `damaged`: altered, or moved to another owner. */
  open(purpose: string, owner: string, sealed: Sealed): Result<string> & { problem?: 'unknown-key' | 'damaged' };
};

export const secretsKeyId = (key: Buffer): string =>
  createHash('sha256').update('response-plans secrets key id\u0000').update(key).digest('hex').slice(0, 32);

const aad = (purpose: string, owner: string) => Buffer.from(`v1\u0000${purpose}\u0000${owner}`, 'utf8');
const NONCE = 12;
const TAG = 16;

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== SECRETS_KEY_BYTES) throw new Error(`a secrets key is ${SECRETS_KEY_BYTES} bytes, not ${key.length}`);
  const keyId = secretsKeyId(key);
  return {
    keyId,
    seal(purpose, owner, secret) {
      const nonce = randomBytes(NONCE);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(aad(purpose, owner));
      const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return { keyId, ciphertext: Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url') };
    },
    open(purpose, owner, sealed) {
      if (sealed.keyId !== keyId) {
        return {
          ...fail('invalid', `sealed with secrets key ${sealed.keyId.slice(0, 12)}…, not this KEYS_DIR's (${keyId.slice(0, 12)}…)`),
          problem: 'unknown-key',
        };
      }
      const raw = Buffer.from(sealed.ciphertext, 'base64url');
      const damaged = {
        ...fail('invalid', 'the sealed secret does not open: it was altered, or belongs to another organisation'),
        problem: 'damaged' as const,
      };
      if (raw.length < NONCE + TAG) return damaged;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE));
        decipher.setAAD(aad(purpose, owner));
        decipher.setAuthTag(raw.subarray(raw.length - TAG));
        return ok(Buffer.concat([decipher.update(raw.subarray(NONCE, raw.length - TAG)), decipher.final()]).toString('utf8'));
      } catch {
        return damaged;
      }
    },
  };
}
