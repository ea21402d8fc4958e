import { Gauge, Registry } from 'prom-client';
import type { RuleSet } from '../scenario/types.js';
import type { ListenerEvents } from '../proxy/listener.js';
import { CellCounter, type Cell } from './cells.js';
import { registerListenerMetrics } from './listener-metrics.js';
import { processMetrics } from './process.js';
import { ProxyMetrics } from './proxy-metrics.js';

/** One faultline instance's metrics: what `GET /metrics` serves. */
export interface Metrics {
  /** Listens to the proxy (combine with the log events through fanOut). */
  readonly proxy: ProxyMetrics;
  /** Listens to the proxy listener (connections it cuts). */
  readonly listener: ListenerEvents;
  /** Call with every rule set that becomes live (start-up, reload, PUT /rules). */
  bindRuleSet(set: RuleSet): void;
  /** A scenario reload finished: counted by result; a success also stamps the last-success time. */
  reloaded(ok: boolean): void;
  /** The exposition text (Prometheus text format 0.0.4). */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  /** The live rule set, read at scrape time for `faultline_rules`. */
  rules: () => RuleSet;
  /** Register more metrics (e.g. the quotas') on faultline's registry before it is sealed. */
  register?: (registry: Registry) => void;
}

/**
 * Build the metrics on a registry of faultline's own (never prom-client's global one), merged with
 * Node's default process metrics. Names and labels are a public contract: see docs/metrics.md.
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const own = new Registry();
  const proxy = new ProxyMetrics(own);
  const listener = registerListenerMetrics(own);
  new Gauge({
    name: 'faultline_in_flight_requests',
    help: 'Requests being handled now.',
    registers: [own],
    collect() {
      this.set(proxy.inFlight);
    },
  });
  new Gauge<'state'>({
    name: 'faultline_rules',
    help: 'Rules in the live rule set, by state (enabled, disabled).',
    labelNames: ['state'],
    registers: [own],
    collect() {
      let enabled = 0;
      const rules = options.rules().rules;
      for (const rule of rules) if (rule.state.enabled) enabled++;
      this.set({ state: 'enabled' }, enabled);
      this.set({ state: 'disabled' }, rules.length - enabled);
    },
  });
  const reloads = new CellCounter(
    own,
    'faultline_config_reloads_total',
    'Scenario reloads (file change, SIGHUP, POST /reload), by result (success, failure).',
    ['result'],
  );
  const results: Readonly<Record<'success' | 'failure', Cell>> = {
    success: reloads.cell({ result: 'success' }),
    failure: reloads.cell({ result: 'failure' }),
  };
  const lastSuccess = new Gauge({
    name: 'faultline_config_last_reload_success_timestamp_seconds',
    help: 'When the scenarios were last loaded successfully (start-up or reload), in seconds since the epoch.',
    registers: [own],
  });
  lastSuccess.set(Date.now() / 1000);
  options.register?.(own);
  const registry = Registry.merge([processMetrics(), own]);
  return {
    proxy,
    listener,
    contentType: registry.contentType,
    bindRuleSet: (set) => proxy.bindRuleSet(set),
    reloaded(ok) {
      results[ok ? 'success' : 'failure'].value++;
      if (ok) lastSuccess.set(Date.now() / 1000);
    },
    render: () => registry.metrics(),
  };
}
