import { Counter, Gauge, type Registry } from 'prom-client';
import type { Rule, RuleSet } from '../scenario/types.js';
import type { QuotaEntry } from '../quota/store.js';

export interface QuotaMetricsSource {
  /** The live rule set (quota rules, their limits and metricsPerKey). */
  rules(): RuleSet;
  /** Usage per rule and key in the current period. */
  entries(): Promise<QuotaEntry[]>;
  /** Is the quota store reachable (always true for the in-memory store)? */
  storeUp(): boolean;
}

export interface QuotaMetrics {
  exceeded(rule: Rule): void;
  evicted(rule: string): void;
  storeError(): void;
}

/**
 * Quota metrics. Usage is read from the store at scrape time (nothing per request). By default one
 * series per rule, summed over keys — `limit` then sums each key's limit, so used/limit is the
 * overall fill; a rule with `metricsPerKey: true` gets one series per key instead (mind the
 * cardinality: keys come from requests).
 */
export function registerQuotaMetrics(registry: Registry, source: QuotaMetricsSource): QuotaMetrics {
  const collectUsage = async (used: Gauge<'rule' | 'key'>, limit: Gauge<'rule' | 'key'>): Promise<void> => {
    used.reset();
    limit.reset();
    const quotaRules = source.rules().rules.filter((r) => r.quota !== null);
    const byRule = new Map<string, QuotaEntry[]>();
    for (const e of await source.entries()) {
      const list = byRule.get(e.rule) ?? [];
      list.push(e);
      byRule.set(e.rule, list);
    }
    for (const rule of quotaRules) {
      const quota = rule.quota!;
      const entries = byRule.get(rule.name) ?? [];
      if (quota.metricsPerKey) {
        for (const e of entries) {
          used.set({ rule: rule.name, key: e.key }, e.used);
          limit.set({ rule: rule.name, key: e.key }, quota.limit);
        }
        continue;
      }
      used.set(
        { rule: rule.name, key: '' },
        entries.reduce((sum, e) => sum + e.used, 0),
      );
      limit.set({ rule: rule.name, key: '' }, quota.limit * entries.length);
    }
  };
  // prom-client collects all metrics of a scrape concurrently: both gauges await one shared read
  // of the store per scrape.
  let inFlight: Promise<void> | null = null;
  const refresh = (): Promise<void> => {
    inFlight ??= collectUsage(used, limit).finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
  const used: Gauge<'rule' | 'key'> = new Gauge<'rule' | 'key'>({
    name: 'faultline_quota_used',
    help: 'Quota usage (bytes or requests) summed over keys this period; per key with metricsPerKey.',
    labelNames: ['rule', 'key'],
    registers: [registry],
    collect: refresh,
  });
  const limit: Gauge<'rule' | 'key'> = new Gauge<'rule' | 'key'>({
    name: 'faultline_quota_limit',
    help: 'Quota limit (bytes or requests) summed over the keys seen this period; per key with metricsPerKey.',
    labelNames: ['rule', 'key'],
    registers: [registry],
    collect: refresh,
  });
  // Each quota rule's counters exist (at 0) from the moment its rule set loads, and stop being
  // exported when a reload removes the rule. Synced at scrape time: nothing per request.
  const loaded = (): Set<string> => new Set(source.rules().rules.flatMap((r) => (r.quota === null ? [] : [r.name])));
  const perRule = (counter: Counter<'rule'>, seen: Set<string>): void => {
    const now = loaded();
    for (const name of seen) if (!now.has(name)) counter.remove({ rule: name });
    for (const name of now) counter.inc({ rule: name }, 0);
    seen.clear();
    for (const name of now) seen.add(name);
  };
  const exceededSeen = new Set<string>();
  const exceeded: Counter<'rule'> = new Counter<'rule'>({
    name: 'faultline_quota_exceeded_total',
    help: 'Requests a quota rule refused because the key was over its limit.',
    labelNames: ['rule'],
    registers: [registry],
    collect: () => perRule(exceeded, exceededSeen),
  });
  const evictedSeen = new Set<string>();
  const evictions: Counter<'rule'> = new Counter<'rule'>({
    name: 'faultline_quota_objects_evicted_total',
    help: 'Tracked objects forgotten because --max-tracked-objects was reached.',
    labelNames: ['rule'],
    registers: [registry],
    collect: () => perRule(evictions, evictedSeen),
  });
  const storeErrors = new Counter({
    name: 'faultline_store_errors_total',
    help: 'Quota store operations that failed or exceeded --store-budget.',
    registers: [registry],
  });
  new Gauge({
    name: 'faultline_store_up',
    help: 'Whether the quota store is reachable (1) or not (0).',
    registers: [registry],
    collect() {
      this.set(source.storeUp() ? 1 : 0);
    },
  });
  return {
    exceeded: (rule) => exceeded.inc({ rule: rule.name }),
    evicted: (rule) => evictions.inc({ rule }),
    storeError: () => storeErrors.inc(),
  };
}
