import { spawnSync } from 'node:child_process';
import { PROMTOOL, locate, requires } from '../helpers/requires.js';
import { describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { startDemoUpstream, startProxy, type Running } from '../helpers/faultline.js';
import { scrape } from './scrape.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

const SCENARIO = `version: 1
headerFaults: true
rules:
  - name: full-disk
    match: { method: PUT, path: /upload/** }
    fault: { status: 507 }
  - name: never-fires
    enabled: false
    match: { path: /nothing }
    fault: { reset: true }
`;

async function setup(): Promise<Running> {
  const demo = await startDemoUpstream();
  cleanups.push(() => demo.close());
  const proxy = await startProxy(demo.url, { scenario: SCENARIO, flags: { upstreamTimeout: '300ms' } });
  cleanups.push(() => proxy.close());
  return proxy;
}

/** 3 proxied (2 GET + 1 POST with a 3-byte body), 2 injected 507, 1 upstream timeout, 1 rejected. */
async function knownSequence(proxy: Running): Promise<{ responseBytes: number }> {
  let responseBytes = 0;
  for (let i = 0; i < 2; i++) {
    const r = await request(`${proxy.url}/status/200`);
    expect(r.status).toBe(200);
    responseBytes += r.body.length;
  }
  const echo = await request(`${proxy.url}/echo`, { method: 'POST', body: 'abc' });
  expect(echo.status).toBe(200);
  responseBytes += echo.body.length;
  for (let i = 0; i < 2; i++) {
    const r = await request(`${proxy.url}/upload/a.bin`, { method: 'PUT', body: 'hello' });
    expect(r.status).toBe(507);
    responseBytes += r.body.length; // an injected answer's body is written to the client too
  }
  expect((await request(`${proxy.url}/delay/2000`)).status).toBe(504);
  expect((await request(`${proxy.url}/status/200`, { headers: { 'x-faultline-fault': 'bogus' } })).status).toBe(400);
  return { responseBytes };
}

describe('GET /metrics', () => {
  it('counts a known sequence of requests exactly', async () => {
    const proxy = await setup();
    const { responseBytes } = await knownSequence(proxy);
    const m = await scrape(proxy.admin);
    const requests = m.samples.filter((s) => s.name === 'faultline_requests_total');
    const byOutcome = (a: { outcome?: string }, b: { outcome?: string }): number =>
      String(a.outcome).localeCompare(String(b.outcome));
    expect(
      requests
        .map((s) => ({
          method: s.labels.method,
          code: s.labels.code,
          outcome: s.labels.outcome,
          protocol: s.labels.protocol,
          n: s.value,
        }))
        .sort(byOutcome),
    ).toEqual(
      [
        { method: 'PUT', code: '507', outcome: 'injected', protocol: 'http/1.1', n: 2 },
        { method: 'GET', code: '200', outcome: 'proxied', protocol: 'http/1.1', n: 2 },
        { method: 'POST', code: '200', outcome: 'proxied', protocol: 'http/1.1', n: 1 },
        { method: 'GET', code: '400', outcome: 'rejected', protocol: 'http/1.1', n: 1 },
        { method: 'GET', code: '504', outcome: 'upstream_error', protocol: 'http/1.1', n: 1 },
      ].sort(byOutcome),
    );
    expect(m.value('faultline_faults_injected_total', { rule: 'full-disk', kind: 'status', code: '507' })).toBe(2);
    expect(m.value('faultline_faults_injected_total', { rule: 'never-fires', kind: 'reset', code: 'none' })).toBe(0);
    expect(m.value('faultline_faults_injected_total', { rule: 'header', kind: 'header', code: 'none' })).toBe(0);
    expect(m.value('faultline_upstream_errors_total', { reason: 'timeout' })).toBe(1);
    expect(m.value('faultline_upstream_errors_total', { reason: 'unreachable' })).toBe(0);
    expect(m.value('faultline_upstream_errors_total', { reason: 'reset' })).toBe(0);
    expect(m.value('faultline_in_flight_requests')).toBe(0);
    expect(m.value('faultline_bytes_total', { direction: 'request' })).toBe(3);
    expect(m.value('faultline_bytes_total', { direction: 'response' })).toBe(responseBytes);
    expect(m.value('faultline_request_duration_seconds_count', { outcome: 'proxied' })).toBe(3);
    expect(m.value('faultline_request_duration_seconds_count', { outcome: 'injected' })).toBe(2);
    expect(m.value('faultline_request_duration_seconds_count', { outcome: 'upstream_error' })).toBe(1);
    expect(m.value('faultline_request_duration_seconds_bucket', { outcome: 'upstream_error', le: '0.25' })).toBe(0);
    expect(m.value('faultline_request_duration_seconds_bucket', { outcome: 'upstream_error', le: '+Inf' })).toBe(1);
    expect(m.value('faultline_request_duration_seconds_bucket', { outcome: 'proxied', le: '0.0005' })).toBeDefined();
    expect(m.value('faultline_rules', { state: 'enabled' })).toBe(1);
    expect(m.value('faultline_rules', { state: 'disabled' })).toBe(1);
    expect(m.value('faultline_config_reloads_total', { result: 'success' })).toBe(0);
    expect(m.value('faultline_config_reloads_total', { result: 'failure' })).toBe(0);
    const loaded = m.value('faultline_config_last_reload_success_timestamp_seconds')!;
    expect(Math.abs(loaded - Date.now() / 1000)).toBeLessThan(60);
    expect(m.value('process_start_time_seconds')).toBeGreaterThan(0);
    expect(m.text).not.toMatch(/nodejs_active_handles_total/);
    // Labels are bounded: no path, no request id in any series.
    expect(m.text).not.toMatch(/upload|a\.bin|\/status/);
  });

  it('is served without the admin token, with the Prometheus content type', async () => {
    const demo = await startDemoUpstream();
    cleanups.push(() => demo.close());
    const proxy = await startProxy(demo.url, { flags: { adminToken: 's3cret-token' } });
    cleanups.push(() => proxy.close());
    const reply = await request(`${proxy.admin}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(reply.text).toContain('# TYPE faultline_requests_total counter');
  });

  it('counts reloads by result and binds the new rules', async () => {
    const proxy = await setup();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(proxy.scenarioFile!, SCENARIO.replace('full-disk', 'disk-full'));
    expect((await proxy.app.reload('test')).ok).toBe(true);
    writeFileSync(proxy.scenarioFile!, 'version: 1\nrules: [ { name: x } ]\n');
    expect((await proxy.app.reload('test')).ok).toBe(false);
    expect((await request(`${proxy.url}/upload/b`, { method: 'PUT', body: 'x' })).status).toBe(507);
    const m = await scrape(proxy.admin);
    expect(m.value('faultline_config_reloads_total', { result: 'success' })).toBe(1);
    expect(m.value('faultline_config_reloads_total', { result: 'failure' })).toBe(1);
    expect(m.value('faultline_faults_injected_total', { rule: 'disk-full', kind: 'status', code: '507' })).toBe(1);
    // The removed rule's series is no longer exported.
    expect(m.value('faultline_faults_injected_total', { rule: 'full-disk', kind: 'status', code: '507' })).toBeUndefined();
  });
});

describe('promtool check metrics', () => {
  const promtool = requires(PROMTOOL, import.meta.url) ? locate(PROMTOOL) : null;
  it.skipIf(promtool === null)('passes on a real scrape, with no warnings', async () => {
    const proxy = await setup();
    await knownSequence(proxy);
    const m = await scrape(proxy.admin);
    const run = spawnSync(promtool!, ['check', 'metrics'], { input: m.text, encoding: 'utf8' });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});
