import { z } from 'zod';

/**
 * An organisation's token signing keys (`jwks`): where they come from is part of the register, so what
 * may be recorded is decided here, for the API, the admin pages and the CLI alike.
 *
 * Either an `https:` URL of the provider's key set, fetched asynchronously with a size cap, a timeout and
 * a cache, or the key set itself given inline (public keys only) and stored in the database. Never a
 * path: the service must not open a file an administrator names (a FIFO froze the event loop, /dev/zero
 * grew without bound, /etc/passwd came back in a 401). Plain http only for a provider on this machine,
 * and only when the issuer is too (trials, tests), as for an OpenID issuer; not to reach a loopback
 * service on behalf of an organisation whose tokens come from elsewhere.
 */

/** The most a key set may take, inline or fetched: a provider's set is a few kilobytes. */
export const MAX_JWKS_BYTES = 64 * 1024;
const MAX_KEYS = 20;

const loopback = (host: string) => {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
};

/** Members that only a private or symmetric key has: a key set to verify with holds none of them. */
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

const publicJwk = z
  .looseObject({
    kty: z.enum(['RSA', 'EC', 'OKP']),
    kid: z.string().min(1).max(200).optional(),
    use: z.literal('sig').optional(),
    alg: z.string().min(1).max(20).optional(),
  })
  .refine((k) => privateMembers.every((m) => !(m in k)), {
    error: 'a key set to verify tokens holds public keys only (no private members)',
  });

export const inlineJwksSchema = z.strictObject({ keys: z.array(publicJwk).min(1).max(MAX_KEYS) });
export type InlineJwks = z.infer<typeof inlineJwksSchema>;

// zod runs every check even after z.url() failed: each refinement parses only what can be parsed.
const parsed = (s: string) => (URL.canParse(s) ? new URL(s) : undefined);
const jwksUrl = z
  .url({ protocol: /^https?$/ })
  .max(1000)
  .refine(
    (s) => {
      const u = parsed(s);
      return !u || u.protocol === 'https:' || loopback(u.hostname);
    },
    { error: 'must be an https URL (http only for a provider on this machine), or the key set itself ({"keys": [...]})' },
  )
  .refine((s) => !parsed(s)?.username && !parsed(s)?.password, { error: 'must not carry a user name or password' });

/**
 * What the API, admin form and CLI accept for `jwks`: a URL, or the key set as a JSON object or as JSON
 * text. Stored as the URL or as compact JSON text (the register's column is text).
 */
export const jwksSchema = z
  .union([
    inlineJwksSchema,
    z
      .string()
      .trim()
      .min(1)
      .max(MAX_JWKS_BYTES)
      // As text, the document says a URL (the key set itself is the object form); JSON text is also read.
      .meta({ format: 'uri', pattern: '^(https?://|\\s*\\{)' })
      .transform((s, ctx) => {
        if (!s.startsWith('{')) return s;
        try {
          return JSON.parse(s) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'looks like a key set but is not valid JSON' });
          return z.NEVER;
        }
      })
      .pipe(z.union([jwksUrl, inlineJwksSchema])),
  ])
  .transform((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
  .refine((s) => Buffer.byteLength(s) <= MAX_JWKS_BYTES, { error: `a key set takes at most ${MAX_JWKS_BYTES / 1024} KB` })
  .describe(
    'The token signing keys: an https URL of the key set (plain http only when the issuer is plain http on the same loopback host), or the key set itself ({"keys": [...]}, public keys only, at most 20 keys and 64 KB). Never a file path.',
  );

/** Where the stored value says the keys are; undefined for anything this service will not use. */
export type JwksSource = { kind: 'remote'; url: URL } | { kind: 'inline'; keys: InlineJwks };

/**
 * Reads a stored value. Applied again on every use, not only when recorded: a row written before these
 * rules (a file path, an http URL beside an https issuer) is simply not usable, never opened or fetched.
 */
export function jwksSource(issuer: string | null, stored: string | null): JwksSource | undefined {
  if (!stored) return undefined;
  if (stored.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(stored);
    } catch {
      return undefined;
    }
    const keys = inlineJwksSchema.safeParse(json);
    return keys.success ? { kind: 'inline', keys: keys.data } : undefined;
  }
  if (!jwksUrl.safeParse(stored).success) return undefined;
  const url = new URL(stored);
  if (url.protocol === 'http:') {
    // Plain http only where the issuer itself is plain http on the same loopback host.
    const iss = issuer && URL.canParse(issuer) ? new URL(issuer) : undefined;
    if (iss?.protocol !== 'http:' || iss.hostname !== url.hostname) return undefined;
  }
  return { kind: 'remote', url };
}

/** Why an issuer and key set cannot be recorded together, or undefined when they can. */
export function jwksProblem(issuer: string | null | undefined, jwks: string | null | undefined): string | undefined {
  if (!issuer && !jwks) return undefined;
  if (issuer && !jwks) return 'an organisation with an issuer needs its token signing keys (an https URL or the key set itself)';
  if (!jwksSource(issuer ?? null, jwks ?? null)) {
    return jwks!.startsWith('http:')
      ? 'a plain http key set URL is accepted only when the issuer is plain http on the same loopback host'
      : 'must be an https URL or the key set itself ({"keys": [...]}, public keys only)';
  }
  return undefined;
}
