import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * Typed configuration, parsed once at start-up from the environment (CONTRACTS §2) and passed in.
 * Nothing below `src/main.ts` and `src/cli` reads `process.env`.
 */
const onOff = z.enum(['on', 'off', 'true', 'false', '1', '0']).transform((v) => v === 'on' || v === 'true' || v === '1');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  /** The key material one deployment's nodes share (src/plans/keys/keys.ts); default DATA_DIR/keys. */
  KEYS_DIR: z.string().min(1).optional(),
  /** PostgreSQL 15+ (`postgres://user:password@host:5432/db`) instead of SQLite under DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  MEILI_URL: z.url().optional(),
  MEILI_KEY: z.string().min(1).optional(),
  MEILI_BIN: z.string().min(1).optional(),
  PUBLIC_BASE_URL: z.url().optional(),
  AUTH_DEV: onOff.optional(),
  /** Whether the person's access report names individuals or only their organisation and role. */
  ACCESS_REPORT_NAMES: z.enum(['role-only', 'individual']).default('role-only'),
  /** Longest bearer-token lifetime accepted (exp − iat), in hours. */
  TOKEN_MAX_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  SESSION_MAX_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 7)
    .default(12),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `HEADER:HOPS`, e.g. `x-forwarded-for:1` or `forwarded:2`; unset = the connecting socket's address. */
  TRUST_PROXY: z
    .string()
    .regex(/^[A-Za-z0-9-]+:[1-9]\d?$/, 'must be HEADER:HOPS, e.g. x-forwarded-for:1 or forwarded:2')
    .transform((v): TrustProxy => {
      const [header, hops] = v.split(':');
      return { header: header!.toLowerCase(), hops: Number(hops) };
    })
    .optional(),
  /** Searches one person may run in any minute (burst) and in any hour (sustained). */
  SEARCH_BURST: z.coerce
    .number()
    .int()
    .min(1)
    .default(() => DEFAULT_SEARCH_LIMITS.perMinute),
  SEARCH_PER_HOUR: z.coerce
    .number()
    .int()
    .min(1)
    .default(() => DEFAULT_SEARCH_LIMITS.perHour),
  /** Different plan references one person may look up in any minute (burst) and in any hour; API and FHIR together. */
  REF_LOOKUP_BURST: z.coerce
    .number()
    .int()
    .min(1)
    .default(() => DEFAULT_REF_LOOKUP_LIMITS.perMinute),
  REF_LOOKUP_PER_HOUR: z.coerce
    .number()
    .int()
    .min(1)
    .default(() => DEFAULT_REF_LOOKUP_LIMITS.perHour),
  /** Searches this node runs at once (`off`: no limit), how many more may wait for a slot, and how long. */
  SEARCH_MAX_IN_FLIGHT: z
    .string()
    .regex(/^(off|[1-9]\d{0,3})$/, 'must be a whole number from 1 to 9999, or off')
    .transform((v) => (v === 'off' ? ('off' as const) : Number(v)))
    .optional(),
  SEARCH_QUEUE: z.coerce.number().int().min(0).max(9999).optional(),
  SEARCH_QUEUE_WAIT_MS: z.coerce.number().int().min(1).max(10_000).optional(),
  /** Prometheus /metrics on this port, bound to 127.0.0.1 only; unset → no metrics. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** The 30-second summary's length above which authors and approvers are warned (plans/versions/readability.ts). */
  SUMMARY_WARN_WORDS: z.coerce.number().int().min(10).max(500).default(75),
  /** Every new signed checkpoint of the access log is also written here (another machine's mount, write-once storage). */
  AUDIT_WITNESS_DIR: z.string().min(1).optional(),
});

/** Which forwarded header carries the client address, and how many proxies in front of us append to it. */
export type TrustProxy = { header: string; hops: number };
/** Per-person search limits (issue 10: harvesting by search). */
export type SearchLimits = { perMinute: number; perHour: number };
/**
 * One search every 3 s for a whole minute, or every 10 s for a whole hour, is never limited; a busy ED
 * desk (40 arrivals an hour, three searches each) uses 120 an hour. A script harvesting by search is
 * stopped after 20, and its attempts flag it to the auditors.
 */
export const DEFAULT_SEARCH_LIMITS: SearchLimits = { perMinute: 20, perHour: 360 };
/**
 * Per-node admission for searches (issue 24, server/guards/search-admission.ts): `maxInFlight` run at once,
 * up to `queue` more wait in order for at most `queueWaitMs`, the rest are answered 503 at once.
 */
export type SearchConcurrency = { maxInFlight: number; queue: number; queueWaitMs: number };
/**
 * A search is mostly CPU (ranking here, the engine's own work) with a loopback round trip or two between:
 * two in flight per core keep both cores busy, and more only slow each one down (measured with 50 clients on
 * two cores: 4 in flight answered as many as 8 and the slowest searches in half the time). The queue holds
 * what two cores answer in about the wait, so that what sheds is the wait, not a burst of clients; a short
 * queue bounced most of a 50-client load at once. The wait is the engine's time budget (search/service.ts).
 */
export function defaultSearchConcurrency(cores = os.availableParallelism()): SearchConcurrency {
  return { maxInFlight: 2 * cores, queue: 32 * cores, queueWaitMs: 250 };
}
/** Per-person limits on opening plans by the owning organisation's reference (issue 20: harvesting by reference). */
export type RefLookupLimits = { perMinute: number; perHour: number };
/**
 * A reference is what a system or a responder holding the trust's own number types in: an officer looks
 * up a handful a shift, an ED desk linking its arrivals perhaps one every few minutes. References are
 * sequential per trust, so a script walking through them is stopped after 10, and flagged to auditors
 * before that (flags.ts `refLookups`). Only different references count: opening the same one again is free.
 */
export const DEFAULT_REF_LOOKUP_LIMITS: RefLookupLimits = { perMinute: 10, perHour: 30 };

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  /** Checkpoint signing, development issuer and secrets keys; every node of a deployment mounts the same one. */
  keysDir: string;
  meiliUrl?: string;
  /** PostgreSQL instead of SQLite (README "Running on PostgreSQL"). */
  databaseUrl?: string;
  meiliKey?: string;
  meiliBin?: string;
  /** Explicit PUBLIC_BASE_URL; when absent the server derives it from the bound address. */
  publicBaseUrl?: string;
  /** The AUTH_DEV setting as given; `undefined` means "decide from HOST and configured issuers". */
  authDev?: boolean;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  accessReportNames: z.infer<typeof envSchema>['ACCESS_REPORT_NAMES'];
  tokenMaxHours: number;
  sessionMaxHours: number;
  sessionIdleMinutes: number;
  trustProxy?: TrustProxy;
  searchLimits: SearchLimits;
  refLookupLimits: RefLookupLimits;
  searchConcurrency: SearchConcurrency | 'off';
  metricsPort?: number;
  summaryWarnWords: number;
  auditWitnessDir?: string;
};

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const concurrency = defaultSearchConcurrency();
  if (e.MEILI_URL && !e.MEILI_KEY) {
    throw new ConfigError('Invalid configuration:\n  MEILI_KEY: required when MEILI_URL is set');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    keysDir: path.resolve(e.KEYS_DIR ?? path.join(e.DATA_DIR, 'keys')),
    meiliUrl: e.MEILI_URL,
    databaseUrl: e.DATABASE_URL,
    meiliKey: e.MEILI_KEY,
    meiliBin: e.MEILI_BIN,
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    authDev: e.AUTH_DEV,
    logLevel: e.LOG_LEVEL,
    accessReportNames: e.ACCESS_REPORT_NAMES,
    tokenMaxHours: e.TOKEN_MAX_HOURS,
    sessionMaxHours: e.SESSION_MAX_HOURS,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    trustProxy: e.TRUST_PROXY,
    searchLimits: { perMinute: e.SEARCH_BURST, perHour: e.SEARCH_PER_HOUR },
    refLookupLimits: { perMinute: e.REF_LOOKUP_BURST, perHour: e.REF_LOOKUP_PER_HOUR },
    searchConcurrency:
      e.SEARCH_MAX_IN_FLIGHT === 'off'
        ? 'off'
        : {
            maxInFlight: e.SEARCH_MAX_IN_FLIGHT ?? concurrency.maxInFlight,
            queue: e.SEARCH_QUEUE ?? concurrency.queue,
            queueWaitMs: e.SEARCH_QUEUE_WAIT_MS ?? concurrency.queueWaitMs,
          },
    metricsPort: e.METRICS_PORT,
    summaryWarnWords: e.SUMMARY_WARN_WORDS,
    auditWitnessDir: e.AUDIT_WITNESS_DIR && path.resolve(e.AUDIT_WITNESS_DIR),
  };
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * CONTRACTS §2: the development issuer is on only when no issuer is configured and HOST is loopback,
 * unless AUTH_DEV says otherwise. Serving a non-loopback address with it on is refused outright.
 */
export function resolveAuthDev(
  config: Pick<Config, 'authDev' | 'host'>,
  issuersConfigured: boolean,
): { ok: true; authDev: boolean } | { ok: false; message: string } {
  const loopback = isLoopbackHost(config.host);
  const authDev = config.authDev ?? (loopback && !issuersConfigured);
  if (authDev && !loopback) {
    return {
      ok: false,
      message:
        `Refusing to start: the development issuer (AUTH_DEV) is on while HOST=${config.host} is not a loopback ` +
        "address. Anyone could sign in as anyone. Set AUTH_DEV=off and configure your organisations' issuers, " +
        'or bind to 127.0.0.1.',
    };
  }
  return { ok: true, authDev };
}
