import fs from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Role } from '../../plans/core/actor.js';

/**
 * The development issuer: a local signing key under DATA_DIR so `cli token`, the demo sign-in and the
 * tests can mint real, verifiable JWTs. It is on only as CONTRACTS §2 says (see resolveAuthDev).
 */
export const DEV_ISSUER = 'urn:response-plans:dev-issuer';
export const TOKEN_AUDIENCE = 'response-plans';
const ALG = 'EdDSA';

export type DevIssuer = {
  issuer: string;
  publicKey: CryptoKey;
  sign(claims: { sub: string; org: string; roles: Role[]; name?: string }, ttlSeconds: number, now?: Date): Promise<string>;
};

export async function loadDevIssuer(dataDir: string): Promise<DevIssuer> {
  const file = path.join(dataDir, 'keys', 'dev-issuer.jwk.json');
  let jwk: JWK;
  if (fs.existsSync(file)) {
    jwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
  } else {
    const { privateKey } = await generateKeyPair(ALG, { extractable: true, crv: 'Ed25519' });
    jwk = await exportJWK(privateKey);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // wx: two processes starting at once must not overwrite each other's key.
    try {
      fs.writeFileSync(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      jwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
    }
  }
  const privateKey = (await importJWK(jwk, ALG)) as CryptoKey;
  const { d: _private, ...publicJwk } = jwk;
  const publicKey = (await importJWK(publicJwk, ALG)) as CryptoKey;
  return {
    issuer: DEV_ISSUER,
    publicKey,
    async sign(claims, ttlSeconds, now = new Date()) {
      const iat = Math.floor(now.getTime() / 1000);
      return new SignJWT({ org: claims.org, roles: claims.roles, ...(claims.name ? { name: claims.name } : {}) })
        .setProtectedHeader({ alg: ALG })
        .setIssuer(DEV_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setSubject(claims.sub)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(privateKey);
    },
  };
}

/** "8h", "30m", "90s", "1d" → seconds. */
export function parseTtl(ttl: string): number | undefined {
  const m = /^(\d+)([smhd])$/.exec(ttl.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
  const seconds = n * unit;
  return seconds > 0 && seconds <= 7 * 86400 ? seconds : undefined;
}
