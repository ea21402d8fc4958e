import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startDemoUpstream, startProxy, type Running } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { scrape } from '../metrics/scrape.js';
import { keepAliveClient, many, switchableUpstream } from './helpers.js';

const cleanups = cleanupAfterEach();

/** Two rules drawing from the seeded source: one a probability with a delay range (a second draw). */
const SCENARIO = (fileLevel = '', ruleLevel = '') => `version: 1
seed: 42
${fileLevel}
rules:
  - name: slow-503
    match: { path: /api/** }
    when: { probability: 30% }
    fault: { delay: { min: 1ms, max: 3ms }, status: 503 }
${ruleLevel}
  - name: every-seventh
    match: { path: /api/** }
    when: { every: 7, probability: 50% }
    fault: { status: 507 }
`;

const N = 300;

async function run(
  scenario: string,
  flags: Record<string, string> = {},
): Promise<{ proxy: Running; injected: Map<string, string[]> }> {
  const upstream = await switchableUpstream();
  cleanups.push(() => upstream.close());
  const proxy = await startProxy(upstream.url, { scenario, flags });
  cleanups.push(() => proxy.close());
  const client = keepAliveClient(proxy.url, 1);
  cleanups.push(async () => client.close());
  const answers = await many(client, '/api/x', N, 1);
  const injected = new Map<string, string[]>();
  answers.forEach((a, i) => {
    if (a.marker !== undefined) injected.set(a.marker, [...(injected.get(a.marker) ?? []), `r${i}`]);
  });
  return { proxy, injected };
}

/** The dry run's "would have injected" log lines, as rule → request ids in order. */
function wouldHave(proxy: Running): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of proxy.logs)
    if (l.dryRun === true && l.msg === 'fault would have been injected (dry run)')
      out.set(String(l.rule), [...(out.get(String(l.rule)) ?? []), String(l.reqId)]);
  return out;
}

describe('dry run', () => {
  it('--dry-run injects nothing and counts exactly the requests a live run with the same seed injects', async () => {
    const live = await run(SCENARIO());
    expect(live.injected.get('slow-503')!.length).toBeGreaterThan(50);
    expect(live.injected.get('every-seventh')!.length).toBeGreaterThan(5);

    const dry = await run(SCENARIO(), { dryRun: 'true' });
    expect(dry.injected.size).toBe(0);
    expect(wouldHave(dry.proxy)).toEqual(live.injected);
    const metrics = await scrape(dry.proxy.admin);
    for (const [rule, ids] of live.injected) {
      expect(metrics.value('faultline_dry_run_total', { rule })).toBe(ids.length);
      expect(
        metrics.value('faultline_faults_injected_total', { rule, kind: 'status', code: rule === 'slow-503' ? '503' : '507' }),
      ).toBe(0);
    }
    expect(
      metrics.value('faultline_requests_total', { method: 'GET', code: '200', outcome: 'proxied', protocol: 'http/1.1' }),
    ).toBe(N);
  });

  it('dryRun: true at the top of a file does the same for its rules', async () => {
    const live = await run(SCENARIO());
    const dry = await run(SCENARIO('dryRun: true'));
    expect(dry.injected.size).toBe(0);
    expect(wouldHave(dry.proxy)).toEqual(live.injected);
  });

  it('dryRun: true on one rule: that rule pretends, the others inject as in the live run', async () => {
    const live = await run(SCENARIO());
    const mixed = await run(SCENARIO('', '    dryRun: true'));
    expect(mixed.injected.get('slow-503')).toBeUndefined();
    expect(mixed.injected.get('every-seventh')).toEqual(live.injected.get('every-seventh'));
    expect(wouldHave(mixed.proxy).get('slow-503')).toEqual(live.injected.get('slow-503'));
  });

  it('a quota rule in a dry run lets the over-limit requests through and counts each as a live run would refuse it', async () => {
    const quota = (dry: string) => `version: 1
rules:
  - name: two-uploads
    ${dry}
    match: { method: PUT, path: /upload/** }
    when: { quota: { key: global, measure: requests, limit: 2 } }
    fault: { status: 507 }
`;
    const statuses = async (scenario: string): Promise<{ proxy: Running; codes: number[] }> => {
      const demo = await startDemoUpstream();
      cleanups.push(() => demo.close());
      const proxy = await startProxy(demo.url, { scenario });
      cleanups.push(() => proxy.close());
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await request(`${proxy.url}/upload/f${i}`, { method: 'PUT', body: 'x' })).status);
      return { proxy, codes };
    };
    expect((await statuses(quota(''))).codes).toEqual([201, 201, 507, 507, 507]);
    const dry = await statuses(quota('dryRun: true'));
    expect(dry.codes).toEqual([201, 201, 201, 201, 201]);
    expect((await scrape(dry.proxy.admin)).value('faultline_dry_run_total', { rule: 'two-uploads' })).toBe(3);
  });

  it('a bytes quota crossed mid-stream by a chunked upload: cut in a live run, passed through and counted in a dry run', async () => {
    const quota = (dry: string) => `version: 1
rules:
  - name: ten-bytes
    ${dry}
    match: { method: PUT, path: /upload/** }
    when: { quota: { key: global, measure: bytes, limit: 10 } }
    fault: { status: 507 }
`;
    const upload = async (scenario: string): Promise<{ proxy: Running; status: number }> => {
      const demo = await startDemoUpstream();
      cleanups.push(() => demo.close());
      const proxy = await startProxy(demo.url, { scenario });
      cleanups.push(() => proxy.close());
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(`${proxy.url}/upload/big`, { method: 'PUT', agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        // No Content-Length: node sends the body chunked, so the quota counts it as it flows.
        req.write('0123456789');
        setTimeout(() => req.end('abcdefghij'), 50);
      });
      return { proxy, status };
    };
    expect((await upload(quota(''))).status).toBe(507);
    const dry = await upload(quota('dryRun: true'));
    expect(dry.status).toBe(201);
    expect((await scrape(dry.proxy.admin)).value('faultline_dry_run_total', { rule: 'ten-bytes' })).toBe(1);
  });
});
