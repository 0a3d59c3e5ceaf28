import { createPrivateKey, generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  auditKeyFile,
  checkpointKeysDir,
  loadAuditSigner,
  publicKeysIn,
  newSigningKeyPem,
  recordPublicKey,
  signerFromFile,
  signerOf,
} from '../access-log/signer.js';
import { createOnce, ensureDir, KeyFileError, readPrivateFile, replaceFile } from './key-files.js';
import { secretBox, SECRETS_KEY_BYTES, type SecretBox } from './secrets.js';

/**
 * KEYS_DIR: the key material every node of one deployment shares (README "Keys"). Three keys, each made
 * on first start (or by `cli keys init`) when missing:
 *   audit-signing-key.pem   Ed25519, signs the access log's checkpoints; checkpoint-keys/<id>.pem keeps the
 *                           public half of it and of every key it replaced (`cli keys rotate-signing`)
 *   dev-issuer.jwk.json     Ed25519 JWK of the development issuer (used only with AUTH_DEV on)
 *   secrets.key             32 random bytes, base64: seals organisations' OpenID client secrets in the database
 */
export const devIssuerKeyFile = (keysDir: string) => path.join(keysDir, 'dev-issuer.jwk.json');
export const secretsKeyFile = (keysDir: string) => path.join(keysDir, 'secrets.key');

/** Where KEYS_DIR was before it could be set: DATA_DIR/keys (its default still). */
export const legacyKeysDir = (dataDir: string) => path.join(dataDir, 'keys');

export type KeyReport = {
  what: 'checkpoint signing key' | 'development issuer key' | 'secrets key';
  file: string;
  /** `moved`: taken from DATA_DIR/keys (an upgrade); `retired`: an old DATA_DIR/keys signing key kept as a public key only. */
  state: 'created' | 'found' | 'moved' | 'retired';
  /** The key id (public: a digest), where the key has one. */
  keyId?: string;
};

/**
 * Makes every missing key, checks those there, and reports each, never with any secret. `dataDir`: keys
 * found at their old paths under DATA_DIR/keys are moved in first, so an upgrade that sets KEYS_DIR keeps
 * its signing key and every checkpoint it signed stays verifiable. An unusable key file is a KeyFileError
 * naming it.
 */
export function initKeys(keysDir: string, opts: { dataDir?: string } = {}): KeyReport[] {
  const report: KeyReport[] = [];
  ensureDir(keysDir);
  if (opts.dataDir) report.push(...adoptLegacyKeys(opts.dataDir, keysDir));
  const moved = (what: KeyReport['what']) => report.some((r) => r.what === what && r.state === 'moved');

  // `created` only for the one process whose file won, when several start at once.
  const made = (file: string, content: () => string) => !fs.existsSync(file) && createOnce(file, content()).created;
  const state = (created: boolean) => (created ? ('created' as const) : ('found' as const));

  const signingFile = auditKeyFile(keysDir);
  const signingMade = made(signingFile, newSigningKeyPem);
  const signer = loadAuditSigner(keysDir, { create: false })!;
  if (!moved('checkpoint signing key'))
    report.push({ what: 'checkpoint signing key', file: signingFile, state: state(signingMade), keyId: signer.keyId });

  const devFile = devIssuerKeyFile(keysDir);
  const devMade = made(devFile, newDevIssuerJwk);
  readDevIssuerJwk(keysDir, { create: false });
  if (!moved('development issuer key')) report.push({ what: 'development issuer key', file: devFile, state: state(devMade) });

  const secretsFile = secretsKeyFile(keysDir);
  const secretsMade = made(secretsFile, newSecretsKey);
  const box = loadSecretBox(keysDir, { create: false })!;
  if (!moved('secrets key')) report.push({ what: 'secrets key', file: secretsFile, state: state(secretsMade), keyId: box.keyId });
  return report;
}

/**
 * Keys at their pre-KEYS_DIR paths (DATA_DIR/keys) when KEYS_DIR is elsewhere: a key KEYS_DIR lacks is
 * moved there (copied without overwriting, then the old file removed); a signing key when KEYS_DIR already
 * has another is kept as a public key only, so the checkpoints it signed still verify. A development
 * issuer key KEYS_DIR already has a replacement for is removed (its tokens expire within hours anyway).
 */
function adoptLegacyKeys(dataDir: string, keysDir: string): KeyReport[] {
  const oldDir = legacyKeysDir(dataDir);
  if (path.resolve(oldDir) === path.resolve(keysDir)) return [];
  const report: KeyReport[] = [];
  const oldSigning = auditKeyFile(oldDir);
  const old = signerFromFile(oldSigning);
  if (old) {
    const taken = createOnce(auditKeyFile(keysDir), readPrivateFile(oldSigning)!).created;
    const now = signerFromFile(auditKeyFile(keysDir))!;
    recordPublicKey(keysDir, old);
    report.push(
      taken || now.keyId === old.keyId
        ? { what: 'checkpoint signing key', file: auditKeyFile(keysDir), state: 'moved', keyId: old.keyId }
        : {
            what: 'checkpoint signing key',
            file: path.join(checkpointKeysDir(keysDir), `${old.keyId}.pem`),
            state: 'retired',
            keyId: old.keyId,
          },
    );
    fs.rmSync(oldSigning);
  }
  // Public keys of signing keys rotated out while KEYS_DIR was still DATA_DIR/keys.
  const oldPublic = checkpointKeysDir(oldDir);
  if (fs.existsSync(oldPublic)) {
    for (const [keyId, key] of publicKeysIn(oldPublic))
      recordPublicKey(keysDir, { keyId, publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString() });
    fs.rmSync(oldPublic, { recursive: true });
  }
  // A secrets key moves only into a KEYS_DIR without one: secrets sealed with another cannot be opened by it.
  const oldSecrets = secretsKeyFile(oldDir);
  const secrets = readPrivateFile(oldSecrets);
  if (secrets && createOnce(secretsKeyFile(keysDir), secrets).created) {
    report.push({ what: 'secrets key', file: secretsKeyFile(keysDir), state: 'moved' });
    fs.rmSync(oldSecrets);
  }
  const oldDev = devIssuerKeyFile(oldDir);
  const devJwk = readPrivateFile(oldDev);
  if (devJwk) {
    checkDevJwk(devJwk, oldDev);
    if (createOnce(devIssuerKeyFile(keysDir), devJwk).created)
      report.push({ what: 'development issuer key', file: devIssuerKeyFile(keysDir), state: 'moved' });
    fs.rmSync(oldDev);
  }
  return report;
}

/**
 * A new checkpoint signing key. Its public key, and the old one's, go to checkpoint-keys/ first, so every
 * checkpoint either signs stays verifiable; then the private key is replaced whole. Nodes running now sign
 * with the old key until they restart (README "Keys": restart them one at a time).
 */
export function rotateSigningKey(keysDir: string): { retired: string; current: string } {
  const old = signerFromFile(auditKeyFile(keysDir));
  if (!old) throw new KeyFileError(`no checkpoint signing key at ${auditKeyFile(keysDir)} to rotate (run keys init first)`);
  recordPublicKey(keysDir, old);
  const pem = newSigningKeyPem();
  const next = signerOf(pem, 'the new signing key');
  recordPublicKey(keysDir, next);
  replaceFile(auditKeyFile(keysDir), pem);
  return { retired: old.keyId, current: signerFromFile(auditKeyFile(keysDir))!.keyId };
}

const newSecretsKey = () => `${randomBytes(SECRETS_KEY_BYTES).toString('base64')}\n`;
const newDevIssuerJwk = () => JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }));

/** The secrets key as a box that seals and opens; made when missing with `create`. */
export function loadSecretBox(keysDir: string, opts: { create?: boolean } = { create: true }): SecretBox | undefined {
  const file = secretsKeyFile(keysDir);
  let raw = readPrivateFile(file);
  if (!raw) {
    if (!opts.create) return undefined;
    createOnce(file, newSecretsKey());
    raw = readPrivateFile(file)!;
  }
  const text = raw.toString('utf8').trim();
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== SECRETS_KEY_BYTES) {
    throw new KeyFileError(
      `the key file ${file} is not a secrets key: it must hold ${SECRETS_KEY_BYTES} random bytes in base64 (it holds ${key.length} bytes)`,
    );
  }
  return secretBox(key);
}

/** The development issuer's private JWK (Ed25519); made when missing with `create`. */
export function readDevIssuerJwk(keysDir: string, opts: { create?: boolean } = { create: true }): JsonWebKey | undefined {
  const file = devIssuerKeyFile(keysDir);
  let raw = readPrivateFile(file);
  if (!raw) {
    if (!opts.create) return undefined;
    createOnce(file, newDevIssuerJwk());
    raw = readPrivateFile(file)!;
  }
  return checkDevJwk(raw, file);
}

function checkDevJwk(raw: Buffer, file: string): JsonWebKey {
  let jwk: JsonWebKey;
  try {
    jwk = JSON.parse(raw.toString('utf8')) as JsonWebKey;
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string' || typeof jwk.x !== 'string')
      throw new Error('not Ed25519');
    if (Buffer.from(jwk.d, 'base64url').length !== 32 || Buffer.from(jwk.x, 'base64url').length !== 32) throw new Error('wrong length');
    createPrivateKey({ key: jwk, format: 'jwk' });
  } catch {
    throw new KeyFileError(`the key file ${file} is not the development issuer's key (an Ed25519 private JWK)`);
  }
  return jwk;
}
