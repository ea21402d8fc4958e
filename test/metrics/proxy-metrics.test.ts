import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ProxyMetrics } from '../../src/metrics/proxy-metrics.js';
import { compileRuleSetFromText } from '../../src/scenario/load.js';
import { parseExposition } from './scrape.js';

const rules = (yaml: string) => compileRuleSetFromText(`version: 1\nrules:\n${yaml}`, '<test>');

async function samples(registry: Registry, name: string): Promise<Record<string, string | number>[]> {
  return parseExposition(await registry.metrics())
    .filter((s) => s.name === name)
    .map((s) => ({ ...s.labels, value: s.value }));
}

describe('ProxyMetrics', () => {
  it('counts refusals made before an exchange exists, with unknown methods as OTHER, by protocol', async () => {
    const registry = new Registry();
    const metrics = new ProxyMetrics(registry);
    metrics.requestRejected('GET', 400, 'http/1.1');
    metrics.requestRejected('GET', 400, 'http/1.1');
    metrics.requestRejected('PROPFIND', 400, 'http/1.1');
    metrics.requestRejected('GET', 400, 'h2');
    expect(await samples(registry, 'faultline_requests_total')).toEqual([
      { method: 'GET', code: '400', outcome: 'rejected', protocol: 'http/1.1', value: 2 },
      { method: 'OTHER', code: '400', outcome: 'rejected', protocol: 'http/1.1', value: 1 },
      { method: 'GET', code: '400', outcome: 'rejected', protocol: 'h2', value: 1 },
    ]);
  });

  it('binds a series per rule at each swap and drops those of removed rules', async () => {
    const registry = new Registry();
    const metrics = new ProxyMetrics(registry);
    metrics.bindRuleSet(rules('  - { name: a, fault: { status: 507 } }\n  - { name: b, fault: { delay: 10ms } }\n'));
    expect(await samples(registry, 'faultline_faults_injected_total')).toEqual([
      { rule: 'header', kind: 'header', code: 'none', value: 0 },
      { rule: 'a', kind: 'status', code: '507', value: 0 },
      { rule: 'b', kind: 'delay', code: 'none', value: 0 },
    ]);
    metrics.bindRuleSet(rules('  - { name: a, fault: { status: 507 } }\n  - { name: c, fault: { reset: true } }\n'));
    expect((await samples(registry, 'faultline_faults_injected_total')).map((s) => s.rule)).toEqual(['header', 'a', 'c']);
  });
});
