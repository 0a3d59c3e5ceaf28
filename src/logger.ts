import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Application logs are operational only: no names, queries, purposes or plan content. The access log
 * (SQLite) is the only place those live. Redaction is a backstop, not the plan.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'response-plans' },
      redact: { paths: ['req.headers.authorization', 'req.headers["x-access-purpose"]', 'query', 'purpose', 'body'], remove: true },
    },
    destination,
  );
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
