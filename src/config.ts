import path from 'node:path';
import { z } from 'zod';

/**
 * Typed configuration, parsed once at start-up from the environment (CONTRACTS §2) and passed in.
 * Nothing below `src/main.ts` and `src/cli` reads `process.env`.
 */
const onOff = z
  .enum(['on', 'off', 'true', 'false', '1', '0'])
  .transform((v) => v === 'on' || v === 'true' || v === '1');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  MEILI_URL: z.url().optional(),
  MEILI_KEY: z.string().min(1).optional(),
  MEILI_BIN: z.string().min(1).optional(),
  PUBLIC_BASE_URL: z.url().optional(),
  AUTH_DEV: onOff.optional(),
  /** Whether the person's access report names individuals or only their organisation and role. */
  ACCESS_REPORT_NAMES: z.enum(['role-only', 'individual']).default('role-only'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Prometheus /metrics on this port, bound to 127.0.0.1 only; unset → no metrics. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  meiliUrl?: string;
  meiliKey?: string;
  meiliBin?: string;
  /** Explicit PUBLIC_BASE_URL; when absent the server derives it from the bound address. */
  publicBaseUrl?: string;
  /** The AUTH_DEV setting as given; `undefined` means "decide from HOST and configured issuers". */
  authDev?: boolean;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  accessReportNames: z.infer<typeof envSchema>['ACCESS_REPORT_NAMES'];
  metricsPort?: number;
};

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.MEILI_URL && !e.MEILI_KEY) {
    throw new ConfigError('Invalid configuration:\n  MEILI_KEY: required when MEILI_URL is set');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    meiliUrl: e.MEILI_URL,
    meiliKey: e.MEILI_KEY,
    meiliBin: e.MEILI_BIN,
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    authDev: e.AUTH_DEV,
    logLevel: e.LOG_LEVEL,
    accessReportNames: e.ACCESS_REPORT_NAMES,
    metricsPort: e.METRICS_PORT,
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
        'address. Anyone could sign in as anyone. Set AUTH_DEV=off and configure your organisations\' issuers, ' +
        'or bind to 127.0.0.1.',
    };
  }
  return { ok: true, authDev };
}
