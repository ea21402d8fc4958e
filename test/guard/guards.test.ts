import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { closeServer, listenOn } from '../helpers/http.js';
import { scrape } from '../metrics/scrape.js';
import { api } from '../admin/api.js';
import { keepAliveClient, many, sleep, switchableUpstream } from './helpers.js';

const cleanups = cleanupAfterEach();

async function setup(scenario: string, flags: Record<string, string> = {}) {
  const upstream = await switchableUpstream();
  cleanups.push(() => upstream.close());
  const proxy = await startProxy(upstream.url, { scenario, flags });
  cleanups.push(() => proxy.close());
  const client = keepAliveClient(proxy.url, 1);
  cleanups.push(async () => client.close());
  return { upstream, proxy, client };
}

const guardState = async (proxy: Running, name: string): Promise<Record<string, unknown>> => {
  const guards = (await api(proxy.admin, 'GET', '/guards')).json!.guards as Record<string, unknown>[];
  return guards.find((g) => g.name === name)!;
};

const ERROR_RATE_GUARD = (extra = '') => `version: 1
seed: 7
guards:
  - name: upstream-healthy
    when: { upstreamErrorRate: { above: 20%, over: 2s, min: 20 } }
${extra}
rules:
  - name: flaky
    match: { path: /api/** }
    when: { probability: 30% }
    fault: { status: 507 }
`;

describe('an upstreamErrorRate guard', () => {
  it('trips when the upstream starts failing, and no fault is injected after the trip until resume', async () => {
    const { upstream, proxy, client } = await setup(ERROR_RATE_GUARD());
    const healthy = await many(client, '/api/x', 60, 1);
    expect(healthy.filter((a) => a.marker === 'flaky').length).toBeGreaterThan(5);
    expect((await guardState(proxy, 'upstream-healthy')).state).toBe('ok');

    upstream.fail(503);
    let trippedAfter = -1;
    for (let i = 0; i < 200 && trippedAfter < 0; i++) {
      await client.get('/api/x');
      if ((await guardState(proxy, 'upstream-healthy')).state === 'tripped') trippedAfter = i;
    }
    expect(trippedAfter).toBeGreaterThanOrEqual(0);
    const after = await many(client, '/api/x', 150, 1);
    expect(after.filter((a) => a.marker !== undefined)).toEqual([]);
    expect(after.every((a) => a.status === 503)).toBe(true); // the upstream's own answers, passed through

    const guard = await guardState(proxy, 'upstream-healthy');
    const figures = guard.figures as Record<string, number>;
    expect(figures.value).toBeGreaterThan(0.2);
    expect(figures.requests).toBeGreaterThanOrEqual(20);
    // Within its window: it tripped while the window still held healthy traffic from before the failure.
    expect(figures.errors).toBeLessThan(figures.requests!);
    const lines = proxy.logs.filter(
      (l) => l.guard === 'upstream-healthy' && typeof l.msg === 'string' && l.msg.includes('tripped'),
    );
    expect(lines).toHaveLength(1);
    expect(String(lines[0]!.msg)).toMatch(
      /^guard "upstream-healthy" tripped: upstream error rate [\d.]+% \(\d+ of \d+\) over 2000ms > 20%; stopped rules flaky$/,
    );
    const metrics = await scrape(proxy.admin);
    expect(metrics.value('faultline_guard_trips_total', { guard: 'upstream-healthy' })).toBe(1);
    const rules = (await api(proxy.admin, 'GET', '/rules')).json!.rules as Record<string, unknown>[];
    expect(rules[0]).toMatchObject({ name: 'flaky', stoppedBy: 'upstream-healthy' });

    // Stays stopped with a healthy upstream, until resumed.
    upstream.fail(null);
    const still = await many(client, '/api/x', 60, 1);
    expect(still.filter((a) => a.marker !== undefined)).toEqual([]);
    const resumed = await api(proxy.admin, 'POST', '/resume', { body: '{"guard":"upstream-healthy"}' });
    expect(resumed.json).toEqual({ resumed: ['upstream-healthy'] });
    const again = await many(client, '/api/x', 60, 1);
    expect(again.filter((a) => a.marker === 'flaky').length).toBeGreaterThan(5);
  });

  it('never counts injected answers as upstream errors', async () => {
    const { proxy, client } = await setup(`version: 1
guards:
  - name: upstream-healthy
    when: { upstreamErrorRate: { above: 5%, over: 5s, min: 10 } }
rules:
  - name: all-503
    match: { path: /api/** }
    fault: { status: 503 }
`);
    const answers = await many(client, '/api/x', 100, 1);
    expect(answers.every((a) => a.status === 503 && a.marker === 'all-503')).toBe(true);
    await many(client, '/plain', 20, 1);
    expect((await guardState(proxy, 'upstream-healthy')).state).toBe('ok');
  });

  it('resumes by itself with resume: auto once the condition stayed quiet', async () => {
    const { upstream, proxy, client } = await setup(
      ERROR_RATE_GUARD().replace('min: 20 } }', 'min: 20 } }\n    resume: auto\n    quiet: 300ms'),
    );
    upstream.fail(502);
    for (let i = 0; i < 200 && (await guardState(proxy, 'upstream-healthy')).state !== 'tripped'; i++) await client.get('/api/x');
    expect((await guardState(proxy, 'upstream-healthy')).state).toBe('tripped');
    const during = await many(client, '/api/x', 30, 1);
    expect(during.filter((a) => a.marker !== undefined)).toEqual([]);
    upstream.fail(null);
    // No traffic at all: the timer resumes it once the failures left the 2 s window and 300 ms passed quietly.
    const healed = Date.now();
    let state = 'tripped';
    for (let i = 0; i < 200 && state === 'tripped'; i++) {
      await sleep(50);
      state = (await guardState(proxy, 'upstream-healthy')).state as string;
    }
    expect(state).toBe('ok');
    expect(Date.now() - healed).toBeGreaterThanOrEqual(300);
    const again = await many(client, '/api/x', 60, 1);
    expect(again.filter((a) => a.marker === 'flaky').length).toBeGreaterThan(5);
    expect(proxy.logs.some((l) => l.msg === 'guard "upstream-healthy" resumed (quiet period over)')).toBe(true);
  });

  it('stays tripped across a reload that changes the rules, and stops the new ones too', async () => {
    const { upstream, proxy, client } = await setup(ERROR_RATE_GUARD());
    upstream.fail(500);
    for (let i = 0; i < 200 && (await guardState(proxy, 'upstream-healthy')).state !== 'tripped'; i++) await client.get('/api/x');
    upstream.fail(null);
    const next = ERROR_RATE_GUARD() + '  - name: newcomer\n    match: { path: /new/** }\n    fault: { status: 507 }\n';
    expect((await api(proxy.admin, 'PUT', '/rules', { body: next })).status).toBe(200);
    const guard = await guardState(proxy, 'upstream-healthy');
    expect(guard).toMatchObject({ state: 'tripped', trips: 1, rules: ['flaky', 'newcomer'] });
    expect((await many(client, '/new/x', 10, 1)).filter((a) => a.marker !== undefined)).toEqual([]);
    expect((await many(client, '/api/x', 30, 1)).filter((a) => a.marker !== undefined)).toEqual([]);
  });

  it('a rule-level guard stops only its rule', async () => {
    const { upstream, proxy, client } = await setup(`version: 1
rules:
  - name: guarded
    match: { path: /a/** }
    fault: { status: 507 }
    guards:
      - name: a-healthy
        when: { upstreamErrorRate: { above: 10%, over: 2s, min: 5 } }
  - name: unguarded
    match: { path: /b/** }
    fault: { status: 507 }
`);
    upstream.fail(500);
    await many(client, '/c/x', 10, 1);
    expect((await guardState(proxy, 'a-healthy')).state).toBe('tripped');
    expect((await client.get('/a/x')).marker).toBeUndefined();
    expect((await client.get('/b/x')).marker).toBe('unguarded');
  });
});

describe('a p99 guard', () => {
  it('trips when proxied requests get slow', async () => {
    const { upstream, proxy, client } = await setup(`version: 1
guards:
  - name: latency-budget
    when: { p99: { above: 300ms, over: 3s, min: 5 } }
rules:
  - name: sometimes
    match: { path: /api/** }
    when: { every: 4 }
    fault: { status: 507 }
`);
    await many(client, '/api/x', 20, 1);
    expect((await guardState(proxy, 'latency-budget')).state).toBe('ok');
    upstream.slow(500);
    for (let i = 0; i < 20 && (await guardState(proxy, 'latency-budget')).state !== 'tripped'; i++) await client.get('/api/x');
    const guard = await guardState(proxy, 'latency-budget');
    expect(guard.state).toBe('tripped');
    expect((guard.figures as Record<string, number>).value).toBeGreaterThan(300);
    upstream.slow(0);
    const after = await many(client, '/api/x', 20, 1);
    expect(after.filter((a) => a.marker !== undefined)).toEqual([]);
  });
});

describe('onTrip: webhook', () => {
  it('posts the trip to a real HTTP server, retrying a failed attempt, with no secret in the logs', async () => {
    const received: { auth: string | undefined; path: string; body: Record<string, unknown> }[] = [];
    const hook = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          auth: req.headers.authorization,
          path: req.url ?? '',
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        });
        res.writeHead(received.length === 1 ? 500 : 204).end();
      });
    });
    const port = await listenOn(hook);
    cleanups.push(() => closeServer(hook));
    const url = `http://bot:hunter2@127.0.0.1:${port}/hooks/T0K3N-SECRET?key=abc123`;
    const { upstream, proxy, client } = await setup(
      ERROR_RATE_GUARD().replace('min: 20 } }', `min: 20 } }\n    onTrip: { webhook: "${url}" }`),
    );
    upstream.fail(500);
    for (let i = 0; i < 200 && (await guardState(proxy, 'upstream-healthy')).state !== 'tripped'; i++) await client.get('/api/x');
    for (let i = 0; i < 60 && received.length < 2; i++) await sleep(50);
    expect(received).toHaveLength(2);
    expect(received[1]!.auth).toBe(`Basic ${Buffer.from('bot:hunter2').toString('base64')}`);
    expect(received[1]!.path).toBe('/hooks/T0K3N-SECRET?key=abc123');
    expect(received[1]!.body).toMatchObject({ event: 'guard.tripped', guard: 'upstream-healthy', rules: ['flaky'] });
    for (let i = 0; i < 20 && !proxy.logs.some((l) => l.msg === 'guard trip reported to webhook'); i++) await sleep(25);
    const text = JSON.stringify(proxy.logs);
    expect(text).toContain('guard trip reported to webhook');
    for (const secret of ['hunter2', 'T0K3N-SECRET', 'abc123', 'bot:']) expect(text).not.toContain(secret);
  });
});
