import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, resolveAuthDev, type Config } from './config.js';
import { databaseFile, openStore, type Db } from '../db/index.js';
import { secureDataDir } from '../db/file-modes.js';
import { demoUsers, seedSyntheticPlans } from './plans/demo/demo.js';
import { anyIdentityProvider, listOrganisations } from './plans/organisations.js';
import { systemClock } from './plans/core/clock.js';
import { createAccessLog } from './plans/access-log/log.js';
import { loadAuditSigner } from './plans/access-log/signer.js';
import { KeyFileError } from './plans/keys/key-files.js';
import { initKeys, loadSecretBox } from './plans/keys/keys.js';
import type { SecretBox } from './plans/keys/secrets.js';
import { sealSecretFiles } from './plans/governance/oidc-secret-files.js';
import { listOidcConfigs, openClientSecret } from './plans/oidc-config.js';
import { adoptJwksFiles } from './plans/governance/jwks-files.js';
import { createAuditWitness } from './plans/access-log/witness.js';
import { createApp } from './server/app.js';
import { loadDevIssuer } from './server/auth/dev-issuer.js';
import { createLogger, type Logger } from './logger.js';
import { accessLogHealth } from './server/access-trail/log-health.js';
import { createMetrics, startMetricsServer } from './server/metrics/metrics.js';
import { startSearchOrFallback } from './search/index.js';
import { createRefusalSummary } from './server/access-trail/refusal-summary.js';
import { sharedStateFor } from './server/guards/shared-state.js';

const DEMO_PLANS = 500;

/** `npm start`: everything local by default (CONTRACTS §1–2). Flags: --no-demo. */
async function main(config: Config, argv: string[]) {
  const started = performance.now();
  const logger = createLogger(config.logLevel);
  const tightened = secureDataDir(config.dataDir, databaseFile(config.dataDir));
  if (tightened.length) logger.warn({ paths: tightened }, 'data directory files were readable by other users: tightened to 0700/0600');
  // KEYS_DIR first: a key file that is unusable (wrong length, readable by others) stops start-up, naming it.
  const keys = startKeys(config, logger);
  const db = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, applicationName: 'rpl-service' });
  const orgs = await listOrganisations(db);
  const dev = resolveAuthDev(config, await anyIdentityProvider(db));
  if (!dev.ok) {
    process.stderr.write(`${dev.message}\n`);
    process.exit(1);
  }
  const seedDemo = orgs.length === 0 && !argv.includes('--no-demo');
  if (seedDemo) {
    const s = await seedSyntheticPlans(db, DEMO_PLANS, { now: systemClock });
    logger.info({ plans: s.created }, 'empty data directory: loaded the synthetic demo set');
  }
  const devIssuer = dev.authDev ? await loadDevIssuer(config.keysDir) : undefined;

  // Free space is checked where the store's files are: on PostgreSQL they are not on this machine.
  const logHealth = accessLogHealth(db.kind === 'sqlite' ? config.dataDir : undefined);
  const auditWitness =
    config.auditWitnessDir === undefined
      ? undefined
      : createAuditWitness(config.auditWitnessDir, {
          // Logged when it starts failing and when it recovers; /healthz and metrics say so meanwhile.
          onChange: (w) =>
            w.ok
              ? logger.info('audit witness writable again')
              : logger.error({ code: w.reason }, 'audit witness: checkpoint not written, retrying'),
        });
  const accessLog = createAccessLog(db, {
    clock: systemClock,
    signer: keys.signer,
    witness: auditWitness,
    onError: (e) => {
      logHealth.failed(e);
      logger.error({ err: { name: e.name, message: e.message } }, 'access log error');
    },
  });
  logHealth.watch(() => accessLog.stats().batches);
  // Key sets recorded as file paths before issue 20: read once into the register, or removed (jwks-files.ts).
  for (const a of await adoptJwksFiles({ db, log: accessLog, clock: systemClock })) {
    if (a.adopted)
      logger.warn({ org: a.org, file: a.file }, 'token signing key file read once and stored in the register; the file is no longer used');
    else
      logger.warn(
        { org: a.org, file: a.file, problem: a.problem },
        "token signing key file not usable: removed from the register, so this organisation's bearer tokens are refused until its keys are set again (its administrator's organisation settings, or the API)",
      );
  }
  await sealOidcSecrets(db, keys.secrets, config.dataDir, logger);

  const refusals = createRefusalSummary({
    clock: systemClock,
    // Several nodes on one PostgreSQL count each window together (shared-state.ts).
    shared: sharedStateFor(db) === 'database' ? db : undefined,
    record: (e) => accessLog.record(e),
    onError: (e) => logger.error({ err: { name: e.name, message: e.message } }, 'refusal summary not written'),
  });

  const search = await startSearchOrFallback({
    db,
    logger,
    dataDir: config.dataDir,
    meiliUrl: config.meiliUrl,
    meiliKey: config.meiliKey,
    meiliBin: config.meiliBin,
    // Serve at once: searches answer from the fallback until the index has caught up (search.searchReady()).
    background: true,
  });

  let publicBaseUrl = config.publicBaseUrl ?? '';
  const metrics = config.metricsPort === undefined ? undefined : createMetrics();
  const app = createApp({
    metrics,
    db,
    clock: systemClock,
    logger,
    devIssuer,
    // A loopback card only where someone chose it: the development issuer, or PUBLIC_BASE_URL set so.
    localCards: !!devIssuer || config.publicBaseUrl !== undefined,
    accessLog,
    accessLogHealth: logHealth,
    auditWitness,
    accessReportNames: config.accessReportNames,
    authOptions: { maxTokenHours: config.tokenMaxHours },
    sessionMaxHours: config.sessionMaxHours,
    sessionIdleMinutes: config.sessionIdleMinutes,
    search: search.service,
    // Out of rotation (/readyz) until this node's index has caught up after a start.
    searchReady: search.searchReady,
    refusals,
    trustProxy: config.trustProxy,
    searchLimits: config.searchLimits,
    searchConcurrency: config.searchConcurrency,
    refLookupLimits: config.refLookupLimits,
    secrets: keys.secrets,
    summaryWarnWords: config.summaryWarnWords,
    get publicBaseUrl() {
      return publicBaseUrl;
    },
  });
  const metricsServer =
    metrics &&
    startMetricsServer(metrics, config.metricsPort!, (port) => {
      logger.info({ url: `http://127.0.0.1:${port}/metrics` }, 'metrics listening');
      process.stdout.write(`Metrics: http://127.0.0.1:${port}/metrics\n`);
    });
  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info: AddressInfo) => {
    const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
    const url = `http://${host}:${info.port}`;
    publicBaseUrl ||= url;
    logger.info({ url, startupMs: Math.round(performance.now() - started) }, 'ready');
    process.stdout.write(`\nResponse-plan lookup service: ${url}\n`);
    if (devIssuer) {
      process.stdout.write('\nDevelopment sign-in is ON (local issuer; never use on a public address). Demo roles:\n');
      for (const u of demoUsers) {
        process.stdout.write(`  ${u.label.padEnd(40)} npm run cli -- token --sub ${u.sub} --org ${u.org} --role ${u.roles[0]}\n`);
      }
      process.stdout.write(`\nOr sign in with a browser at ${url}/sign-in\n`);
      process.stdout.write(`\nThen: curl -H "Authorization: Bearer $TOKEN" -H "X-Access-Purpose: INC-123" ${url}/api/v1/plans/...\n\n`);
    }
  });

  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping');
    metricsServer?.close();
    server.close(() => {
      // Commit what is queued and sign the final chain head, stop search, then close the database.
      // Open refusal windows' summaries go in before the log's last commit and checkpoint.
      void Promise.allSettled([refusals.close().then(() => accessLog.close()), search.stop()])
        .then(() => db.close())
        .finally(() => process.exit(0));
    });
    // Idle keep-alive connections would hold close() open; in-flight requests still finish (and log).
    if ('closeIdleConnections' in server) server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** KEYS_DIR made or checked (src/plans/keys/keys.ts); what was created or moved is logged, never a secret. */
function startKeys(config: Config, logger: Logger) {
  try {
    for (const r of initKeys(config.keysDir, { dataDir: config.dataDir })) {
      if (r.state !== 'found') logger.info({ file: r.file, keyId: r.keyId }, `${r.what} ${r.state}`);
    }
    return { signer: loadAuditSigner(config.keysDir, { create: false })!, secrets: loadSecretBox(config.keysDir, { create: false })! };
  } catch (e) {
    if (!(e instanceof KeyFileError)) throw e;
    process.stderr.write(`Refusing to start: ${e.message}\n`);
    process.exit(1);
  }
}

/**
 * OpenID client secrets still in files from before KEYS_DIR are sealed into the database (and files under
 * DATA_DIR/oidc removed); then every provider whose secret does not open is named once in the log.
 */
async function sealOidcSecrets(db: Db, secrets: SecretBox, dataDir: string, logger: Logger) {
  for (const o of await sealSecretFiles(db, secrets, dataDir)) {
    if (o.sealed)
      logger.warn(
        { org: o.org, file: o.file, removed: o.removed },
        'OpenID client secret file read once and stored sealed in the database; the file is no longer used',
      );
    else
      logger.warn(
        { org: o.org, file: o.file, problem: o.problem },
        "OpenID client secret file not usable: this organisation's sign-in is refused until its secret is set again",
      );
  }
  for (const oidc of await listOidcConfigs(db)) {
    const opened = openClientSecret(oidc, secrets);
    if (!opened.ok)
      logger.warn(
        { org: oidc.org, problem: opened.detail },
        'OpenID provider unusable: its client secret does not open with this KEYS_DIR; sign-in through it is refused until an administrator sets it again',
      );
  }
}

let config: Config;
try {
  config = loadConfig(process.env);
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
main(config, process.argv.slice(2)).catch((e) => {
  process.stderr.write(`failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
