// Prometheus metrics served at /metrics: connections, messages, latencies and errors.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  /** Counts the live connections; the realtime layer sets it once it has its sockets. */
  liveConnections: () => number = () => 0;
  readonly connections: Gauge = new Gauge({
    name: 'switchboard_connections',
    help: 'Live Socket.IO connections',
    registers: [this.registry],
    // Read when scraped, so no connection carries a listener to keep it up to date.
    collect: (): void => this.connections.set(this.liveConnections()),
  });
  readonly messages = new Counter({
    name: 'switchboard_messages_total',
    help: 'Committed stream changes by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: 'switchboard_commit_duration_seconds',
    help: 'Time to durably commit a group of sends',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly commitBatch = new Histogram({
    name: 'switchboard_commit_batch_size',
    help: 'Sends committed together in one transaction',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });
  readonly httpSeconds = new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly socketEvents = new Counter({
    name: 'switchboard_socket_events_total',
    help: 'Socket.IO events received, by event and outcome',
    labelNames: ['event', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'switchboard_errors_total',
    help: 'Errors returned to clients, by transport and code',
    labelNames: ['transport', 'code'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
