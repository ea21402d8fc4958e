import { describe, expect, it } from 'vitest';
import { createAdminCommands } from '../../src/cli/admin-commands.js';
import type { CommandIO } from '../../src/cli/io.js';
import type { Report } from '../../src/guard/report.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy } from '../helpers/faultline.js';
import { api } from '../admin/api.js';
import { scrape } from '../metrics/scrape.js';
import { keepAliveClient, many, sleep, switchableUpstream } from './helpers.js';

const cleanups = cleanupAfterEach();

const SCENARIO = `version: 1
seed: 3
guards:
  - name: upstream-healthy
    when: { upstreamErrorRate: { above: 10%, over: 5s, min: 30 } }
rules:
  - name: flaky
    match: { path: /api/** }
    when: { probability: 20% }
    fault: { status: 507 }
  - name: rehearsal
    dryRun: true
    match: { path: /files/** }
    when: { every: 3 }
    fault: { status: 503 }
`;

async function cli(admin: string, name: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIO = { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') };
  const code = await createAdminCommands({ FAULTLINE_ADMIN: admin.replace('http://', '') })[name]!(argv, io);
  return { code, out, err };
}

describe('the experiment report', () => {
  it('agrees with /metrics: requests, faults injected, would-have-injected, upstream errors and trips', async () => {
    const upstream = await switchableUpstream();
    cleanups.push(() => upstream.close());
    const proxy = await startProxy(upstream.url, { scenario: SCENARIO });
    cleanups.push(() => proxy.close());
    const client = keepAliveClient(proxy.url, 4);
    cleanups.push(async () => client.close());

    await many(client, '/plain', 100); // before injection
    await sleep(1100); // the report's phases have one-second resolution
    await many(client, (i) => (i % 2 === 0 ? '/api/x' : '/files/y'), 300); // during
    upstream.fail(500);
    await many(client, '/api/x', 120); // the guard trips
    upstream.fail(null);
    await many(client, '/plain', 50);

    const report = (await api(proxy.admin, 'GET', '/report?format=json')).json as unknown as Report;
    const metrics = await scrape(proxy.admin);
    const sum = (name: string, keep: (l: Record<string, string>) => boolean = () => true): number =>
      metrics.samples.filter((s) => s.name === name && keep(s.labels)).reduce((n, s) => n + s.value, 0);

    expect(report.requests).toBe(570);
    expect(report.requests).toBe(sum('faultline_requests_total'));
    expect(report.injected).toBe(sum('faultline_faults_injected_total'));
    expect(report.upstreamErrors).toBe(
      sum(
        'faultline_requests_total',
        (l) => l.outcome === 'upstream_error' || (l.outcome === 'proxied' && Number(l.code) >= 500),
      ),
    );
    expect(report.upstreamErrors).toBeGreaterThan(0);
    const rules = (await api(proxy.admin, 'GET', '/rules')).json!.rules as { name: string; matched: number }[];
    for (const r of report.rules) {
      expect(r.injected).toBe(sum('faultline_faults_injected_total', (l) => l.rule === r.name));
      expect(r.wouldHaveInjected).toBe(sum('faultline_dry_run_total', (l) => l.rule === r.name));
      expect(r.matched).toBe(rules.find((x) => x.name === r.name)!.matched);
    }
    const flaky = report.rules.find((r) => r.name === 'flaky')!;
    const rehearsal = report.rules.find((r) => r.name === 'rehearsal')!;
    expect(flaky).toMatchObject({ stoppedBy: 'upstream-healthy', dryRun: false });
    expect(flaky.injected).toBeGreaterThan(10);
    expect(rehearsal).toMatchObject({ injected: 0, wouldHaveInjected: 50, dryRun: true, during: null });
    expect(report.guards).toEqual([
      { name: 'upstream-healthy', trips: sum('faultline_guard_trips_total'), state: 'tripped', rules: ['flaky', 'rehearsal'] },
    ]);
    expect(report.guards[0]!.trips).toBe(1);
    expect(report.before.upstreamErrors).toBe(0);
    expect(report.before.p50).toBeGreaterThan(0);
    expect(report.during!.upstreamRequests).toBeGreaterThan(0);

    const md = await cli(proxy.admin, 'report', ['--since', '10m']);
    expect(md.code).toBe(0);
    expect(md.out).toContain('| Rule | Matched | Injected | Would have (dry run) | State |');
    expect(md.out).toContain(`| flaky | ${flaky.matched} | ${flaky.injected} | 0 | stopped by guard upstream-healthy |`);
    expect(md.out).toContain('| rehearsal | ');
    expect(md.out).toMatch(/\| before injection \| \d+ s \| 0% \(0\/\d+\) \|/);
    const json = await cli(proxy.admin, 'report', ['--format', 'json']);
    expect((JSON.parse(json.out) as Report).requests).toBe(report.requests);
    expect((await cli(proxy.admin, 'report', ['--format', 'html'])).code).toBe(2);
    expect((await api(proxy.admin, 'GET', '/report?since=yesterday')).status).toBe(400);

    const table = await cli(proxy.admin, 'rules', []);
    expect(table.out).toMatch(/flaky\s+stopped \(guard upstream-healthy\)/);
    const resumed = await cli(proxy.admin, 'resume', []);
    expect(resumed).toMatchObject({ code: 0, out: 'resumed: upstream-healthy\n' });
    expect(await cli(proxy.admin, 'resume', ['no-such-guard'])).toMatchObject({ code: 1 });
    expect((await cli(proxy.admin, 'heartbeat', [])).out).toBe(
      'faultline runs without --require-heartbeat: the heartbeat changes nothing\n',
    );
  });
});
