import { Registry, collectDefaultMetrics } from 'prom-client';

/*
 * Node's default process metrics, collected once per process: they describe the process, not one
 * faultline instance, and each collectDefaultMetrics() call starts its own event-loop monitor and
 * GC observer, so several instances in one process (the tests) share these.
 */

/**
 * Gauges that prom-client names with a `_total` suffix, which `promtool check metrics` rejects
 * (a `_total` suffix belongs to counters). Each is the sum of the per-type gauge of the same name
 * without the suffix (`nodejs_active_handles{type}` etc.), which stays, so nothing is lost.
 */
export const DROPPED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

let shared: Registry | null = null;

/** The registry holding Node's default metrics (minus DROPPED_DEFAULT_METRICS). */
export function processMetrics(): Registry {
  if (shared === null) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
    for (const name of DROPPED_DEFAULT_METRICS) shared.removeSingleMetric(name);
  }
  return shared;
}
