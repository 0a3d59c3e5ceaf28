import { serve, type ServerType } from '@hono/node-server';
import type { Db } from '../../../db/index.js';
import { Hono } from 'hono';
import client from 'prom-client';
import type { SearchService } from '../../search/service.js';
import type { AccessLogStats as LogStats } from '../../plans/access-log/log.js';
import type { AuditWitness } from '../../plans/access-log/witness.js';
import { FastHistogram } from './fast-histogram.js';
import type { SearchAdmission } from '../guards/search-admission.js';

/**
 * Prometheus metrics. Labels are route patterns, methods, statuses and fixed outcome words only: never a
 * path with its ids, a query, a name or a purpose (test/server/metrics/metrics.test.ts checks the scrape for them).
 */
export type Metrics = ReturnType<typeof createMetrics>;

type AccessLogStats = { stats(): LogStats };

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
const CARD_SCAN_ROUTES = new Set(['/q/:token', '/code']);

function cardScanOutcome(status: number) {
  if (status < 300) return 'shown';
  if (status < 400) return 'redirected';
  if (status === 429) return 'rate_limited';
  if (status === 404 || status === 410) return 'unknown_or_revoked';
  return 'refused';
}

export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const http = new FastHistogram(
    'http_request_duration_seconds',
    'Request latency by route pattern, method and status (its _count is the request count)',
    ['method', 'route', 'status'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  registry.registerMetric(http as unknown as client.Metric);
  const rateLimited = new client.Counter({
    name: 'rate_limit_refusals_total',
    help: 'Requests refused with 429',
    labelNames: ['route'] as const,
    registers,
  });
  const cardScans = new client.Counter({
    name: 'card_scans_total',
    help: 'Card QR scans and typed codes by outcome',
    labelNames: ['route', 'outcome'] as const,
    registers,
  });
  const searchEngine = new client.Histogram({
    name: 'search_engine_seconds',
    help: "Meilisearch's own processing time per search (searches answered by it)",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers,
  });
  const searchTook = new client.Histogram({
    name: 'search_seconds',
    help: 'Whole search time in the service, by whether it was answered from the fallback',
    labelNames: ['degraded'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  });

  /**
   * Called by the request-log middleware once per request (one middleware layer for both: on the hot
   * route each layer costs more than the observation itself).
   */
  function observeRequest(method: string, route: string, status: number, seconds: number) {
    const key = `${method} ${status} ${route}`;
    if (!http.observe(key, seconds)) {
      http.add(key, { method: METHODS.has(method) ? method : 'OTHER', route, status: String(status) });
      http.observe(key, seconds);
    }
    if (status === 429) rateLimited.inc({ route });
    if (CARD_SCAN_ROUTES.has(route)) cardScans.inc({ route, outcome: cardScanOutcome(status) });
  }

  /** The search service with its timings observed (the service itself is unchanged). */
  function instrumentSearch(search: SearchService): SearchService {
    return {
      ...search,
      async search(...args) {
        const r = await search.search(...args);
        if (r.ok) {
          if (r.value.engineMs !== undefined) searchEngine.observe(r.value.engineMs / 1000);
          searchTook.observe({ degraded: String(r.value.degraded) }, r.value.tookMs / 1000);
        }
        return r;
      },
    };
  }

  /** Gauges and counters read from the parts at scrape time, so nothing is added to their hot paths. */
  function watch(parts: {
    db: Db;
    accessLog: object;
    search: SearchService;
    refLookupGuard?: { crossings(): number };
    searchAdmission?: Pick<SearchAdmission, 'stats'>;
    auditWitness?: Pick<AuditWitness, 'state'>;
  }) {
    // The log built by createAccessLog reports its stats; one given by a caller may not (zeros then).
    const log = parts.accessLog as Partial<AccessLogStats>;
    const stats = () => log.stats?.() ?? { batches: 0, events: 0, checkpoints: 0, commitMsTotal: 0, commitMsMax: 0 };
    const counterFrom = (name: string, help: string, read: () => number) => {
      let seen = 0;
      return new client.Counter({
        name,
        help,
        registers,
        collect() {
          const now = read();
          if (now > seen) this.inc(now - seen);
          seen = now;
        },
      });
    };
    counterFrom('access_log_commits_total', 'Access-log group commits (each one fsync)', () => stats().batches);
    counterFrom('access_log_events_total', 'Access events committed', () => stats().events);
    counterFrom(
      'reference_lookup_flags_total',
      'People who crossed the many-references flag threshold (look-ups by reference), as it happened',
      () => parts.refLookupGuard?.crossings() ?? 0,
    );
    counterFrom('access_log_commit_seconds_total', 'Time spent committing the access log', () => stats().commitMsTotal / 1000);
    counterFrom(
      'access_log_checkpoints_total',
      'Signed checkpoints of the chain head (one per commit with the signing key)',
      () => stats().checkpoints,
    );
    const admission = parts.searchAdmission;
    if (admission) {
      const seen = { api: 0, web: 0 };
      new client.Counter({
        name: 'search_shed_total',
        help: 'Searches answered 503 at once because this node was running as many as it could (SEARCH_MAX_IN_FLIGHT, SEARCH_QUEUE)',
        labelNames: ['channel'] as const,
        registers,
        collect() {
          const { shed } = admission.stats();
          // Both channels always present (0 until a shed), so a rate() over them needs no special case.
          for (const channel of ['api', 'web'] as const) {
            this.inc({ channel }, Math.max(0, shed[channel] - seen[channel]));
            seen[channel] = shed[channel];
          }
        },
      });
      counterFrom(
        'search_waited_total',
        'Searches that waited for a slot (SEARCH_QUEUE) and were then run',
        () => admission.stats().admittedAfterWaiting,
      );
      new client.Gauge({
        name: 'search_in_flight',
        help: 'Searches running on this node now',
        registers,
        collect() {
          this.set(admission.stats().inFlight);
        },
      });
      new client.Gauge({
        name: 'search_queued',
        help: 'Searches waiting for a slot on this node now',
        registers,
        collect() {
          this.set(admission.stats().queued);
        },
      });
    }
    const witness = parts.auditWitness;
    if (witness) {
      counterFrom(
        'audit_witness_failures_total',
        'Failed writes of a checkpoint to AUDIT_WITNESS_DIR (each retried)',
        () => witness.state().failures,
      );
      new client.Gauge({
        name: 'audit_witness_failing',
        help: '1 while the newest checkpoint cannot be written to AUDIT_WITNESS_DIR (retried until it is)',
        registers,
        collect() {
          this.set(witness.state().ok ? 0 : 1);
        },
      });
      new client.Gauge({
        name: 'audit_witness_behind_events',
        help: "Events between the newest checkpoint and the newest one the witness holds (a batch's worth under load; grows while failing)",
        registers,
        collect() {
          const w = witness.state();
          this.set(w.offeredSeq - w.witnessedSeq);
        },
      });
    }
    new client.Gauge({
      name: 'access_log_commit_seconds_max',
      help: 'Longest access-log commit since start',
      registers,
      collect() {
        this.set(stats().commitMsMax / 1000);
      },
    });
    new client.Gauge({
      name: 'access_log_events_per_commit',
      help: 'Mean events per access-log commit since start (group commit)',
      registers,
      collect() {
        const s = stats();
        this.set(s.batches ? s.events / s.batches : 0);
      },
    });
    new client.Gauge({
      name: 'search_degraded',
      help: '1 while searches are answered from the SQLite fallback',
      registers,
      collect() {
        this.set(parts.search.state() === 'degraded' ? 1 : 0);
      },
    });
    new client.Gauge({
      name: 'search_outbox_parked',
      help: 'Plans set aside because their search document could not be indexed (cli search-parked lists them)',
      registers,
      async collect() {
        this.set(await parts.search.parked());
      },
    });
    new client.Gauge({
      name: 'search_outbox_pending',
      help: "Published changes not yet in this node's search index",
      registers,
      async collect() {
        this.set((await parts.search.indexProgress()).n);
      },
    });
    new client.Gauge({
      name: 'search_outbox_lag_seconds',
      help: "Age of the oldest change not yet in this node's search index (0 when none)",
      registers,
      async collect() {
        const { oldest } = await parts.search.indexProgress();
        this.set(oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0);
      },
    });
    // Publish → findable on this node: each change from its log entry (written in the publish transaction)
    // to this node's index having applied it.
    const findable = new client.Histogram({
      name: 'publish_to_findable_seconds',
      help: "From a publish (its search log entry written) to this node's search index having it, since start",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    parts.search.onIndexApplied((entries, at) => {
      for (const e of entries) findable.observe(Math.max(0, (at - Date.parse(e.createdAt)) / 1000));
    });
  }

  return { registry, observeRequest, instrumentSearch, watch };
}

/** `/metrics` only, on its own loopback-only port: operators scrape it from the machine, nobody else can. */
export function metricsApp(metrics: Metrics) {
  return new Hono().get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  );
}

export function startMetricsServer(metrics: Metrics, port: number, onListening?: (port: number) => void): ServerType {
  return serve({ fetch: metricsApp(metrics).fetch, hostname: '127.0.0.1', port }, (info) => onListening?.(info.port));
}
