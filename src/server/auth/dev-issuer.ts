import { importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Role } from '../../plans/core/actor.js';
import { readDevIssuerJwk } from '../../plans/keys/keys.js';

/**
 * The development issuer: a signing key under KEYS_DIR (keys.ts) so `cli token`, the demo sign-in and the
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

export async function loadDevIssuer(keysDir: string): Promise<DevIssuer> {
  const jwk = readDevIssuerJwk(keysDir) as JWK;
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
