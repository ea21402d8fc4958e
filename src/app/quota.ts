import type { Registry } from 'prom-client';
import type { Settings } from '../config/settings.js';
import type { Logger } from '../log/logger.js';
import { registerQuotaMetrics, type QuotaMetrics } from '../metrics/quota-metrics.js';
import { QuotaEngine, periodOf } from '../quota/engine.js';
import { MemoryQuotaStore } from '../quota/memory-store.js';
import type { QuotaStore } from '../quota/store.js';
import type { RuleSet } from '../scenario/types.js';

/** A warn line at most this often while the store is failing (the metric counts every failure). */
const STORE_WARN_EVERY_MS = 10_000;

export interface QuotaParts {
  readonly store: QuotaStore;
  /** Call from the metrics' `register` hook (before the engine is built). */
  register(registry: Registry): void;
  /** The engine (the proxy's quota stage) over the store. */
  readonly engine: QuotaEngine;
}

/**
 * The quota store the settings ask for (memory, or Redis shared by replicas), the engine over it,
 * and their metrics and logs.
 */
export async function createQuota(
  settings: Settings,
  deps: { log: Logger; now: () => number; rules: () => RuleSet },
): Promise<QuotaParts> {
  const { log } = deps;
  let metrics: QuotaMetrics | null = null;
  let lastWarn = 0;
  let connected: boolean | null = null;
  const onEvict = (rule: string): void => metrics?.evicted(rule);
  // ioredis reports every failed reconnect attempt; log the transitions only.
  const onConnectionChange = (up: boolean): void => {
    if (up === connected) return;
    connected = up;
    if (up) log.info('quota store connected');
    else log.warn('quota store connection lost; reconnecting');
  };
  // ioredis (about 20 MiB) is loaded only when a Redis store is configured.
  const store: QuotaStore =
    settings.store === 'memory'
      ? new MemoryQuotaStore({ maxObjects: settings.maxTrackedObjects, onEvict })
      : new (await import('../quota/redis-store.js')).RedisQuotaStore(settings.store, {
          maxObjects: settings.maxTrackedObjects,
          commandTimeoutMs: settings.storeBudgetMs,
          onEvict,
          onConnectionChange,
        });
  const engine = new QuotaEngine({
    store,
    now: deps.now,
    budgetMs: settings.storeBudgetMs,
    failure: settings.storeFailure,
    onExceeded: (rule) => metrics?.exceeded(rule),
    onStoreError: (err) => {
      metrics?.storeError();
      const t = Date.now();
      if (t - lastWarn < STORE_WARN_EVERY_MS) return;
      lastWarn = t;
      log.warn({ error: err.message, storeFailure: settings.storeFailure }, `quota store unavailable (${settings.storeFailure})`);
    },
  });
  return {
    store,
    engine,
    register(registry) {
      metrics = registerQuotaMetrics(registry, {
        rules: deps.rules,
        storeUp: () => store.up(),
        entries: async () => {
          const byName = deps.rules().byName;
          try {
            return await store.entries((name) => {
              const q = byName.get(name)?.quota;
              return q === undefined || q === null ? -1 : periodOf(q, deps.now());
            });
          } catch {
            return []; // the store is away: the up gauge says so
          }
        },
      });
    },
  };
}
