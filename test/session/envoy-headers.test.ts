import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { countingUpstream } from '../helpers/upstream.js';
import { envoyFault } from '../../src/faults/envoy-headers.js';
import { createSession } from './helpers.js';

const cleanup = cleanupAfterEach();

const HEADER_FAULTS = `version: 1
seed: 11
headerFaults: true
rules: []
`;

async function setup(scenario = HEADER_FAULTS) {
  const up = await countingUpstream();
  cleanup.push(() => up.close());
  const fl = await startProxy(up.url, { scenario });
  cleanup.push(() => fl.close());
  return { up, fl };
}

describe("Envoy's fault headers (headerFaults: true)", () => {
  it('x-envoy-fault-abort-request answers that status as Envoy does, without reaching the upstream', async () => {
    const { up, fl } = await setup();
    const reply = await request(`${fl.url}/status/200`, { headers: { 'x-envoy-fault-abort-request': '503' } });
    expect(reply.status).toBe(503);
    expect(reply.text).toBe('fault filter abort');
    expect(reply.headers['content-type']).toBe('text/plain');
    expect(up.seen).toHaveLength(0);
  });

  it('ignores values Envoy ignores, and forwards the headers as sent', async () => {
    const { up, fl } = await setup();
    for (const value of ['abc', '600', '199', '-503', '503.0', '']) {
      const reply = await request(`${fl.url}/status/200`, { headers: { 'x-envoy-fault-abort-request': value } });
      expect(reply.status, value).toBe(200);
    }
    const zero = await request(`${fl.url}/status/200`, {
      headers: { 'x-envoy-fault-abort-request': '503', 'x-envoy-fault-abort-request-percentage': '0' },
    });
    expect(zero.status).toBe(200);
    const last = up.seen[up.seen.length - 1]!;
    expect(last.headers['x-envoy-fault-abort-request']).toBe('503');
    expect(last.headers['x-envoy-fault-abort-request-percentage']).toBe('0');
    // Only the first value counts.
    const twice = await request(`${fl.url}/status/200`, { headers: { 'x-envoy-fault-abort-request': ['418', '500'] } });
    expect(twice.status).toBe(418);
  });

  it('the abort percentage is a share of 100 drawn from the seeded source: the same seed, the same requests', async () => {
    const run = async () => {
      const { fl } = await setup();
      const out: number[] = [];
      for (let i = 0; i < 200; i++)
        out.push(
          (
            await request(`${fl.url}/status/200`, {
              headers: { 'x-envoy-fault-abort-request': '503', 'x-envoy-fault-abort-request-percentage': '25' },
            })
          ).status,
        );
      return out;
    };
    const first = await run();
    const aborted = first.filter((s) => s === 503).length;
    expect(aborted).toBeGreaterThan(25);
    expect(aborted).toBeLessThan(80);
    expect(await run()).toEqual(first);
  });

  it('x-envoy-fault-delay-request delays by that many milliseconds, then forwards; the abort comes after the delay', async () => {
    const { up, fl } = await setup();
    let t = performance.now();
    const delayed = await request(`${fl.url}/status/200`, { headers: { 'x-envoy-fault-delay-request': '300' } });
    expect(delayed.status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(290);
    expect(up.seen).toHaveLength(1);
    t = performance.now();
    const both = await request(`${fl.url}/status/200`, {
      headers: { 'x-envoy-fault-delay-request': '300', 'x-envoy-fault-abort-request': '500' },
    });
    expect(both.status).toBe(500);
    expect(performance.now() - t).toBeGreaterThanOrEqual(290);
    t = performance.now();
    const skipped = await request(`${fl.url}/status/200`, {
      headers: { 'x-envoy-fault-delay-request': '3000', 'x-envoy-fault-delay-request-percentage': '0' },
    });
    expect(skipped.status).toBe(200);
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('x-envoy-fault-throughput-response limits the response body to that many KiB/s', async () => {
    const { fl } = await setup();
    const t = performance.now();
    const reply = await request(`${fl.url}/bytes/6144`, { headers: { 'x-envoy-fault-throughput-response': '2' } });
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(6144);
    // 6 KiB at 2 KiB/s: well over a second even if the first chunk goes at once.
    expect(performance.now() - t).toBeGreaterThanOrEqual(1500);
  });

  it('are ignored without headerFaults, and on requests of a session (the session decides)', async () => {
    const off = await setup('version: 1\nrules: []\n');
    expect((await request(`${off.fl.url}/status/200`, { headers: { 'x-envoy-fault-abort-request': '503' } })).status).toBe(200);
    const on = await setup();
    const s = await createSession(on.fl.admin, { rules: [] });
    const reply = await request(`${on.fl.url}/status/200`, { headers: { ...s.header, 'x-envoy-fault-abort-request': '503' } });
    expect(reply.status).toBe(200);
  });
});

describe('envoyFault (the parser)', () => {
  const never = () => 0.99;
  it('builds the FaultSpec the header fault path applies', () => {
    expect(envoyFault({ 'x-envoy-fault-abort-request': '507' }, never)).toMatchObject({
      delay: null,
      kind: 'status',
      action: { kind: 'status', status: 507, body: { contentType: 'text/plain', text: 'fault filter abort' } },
    });
    expect(envoyFault({ 'x-envoy-fault-delay-request': ' +250 ' }, never)).toEqual({
      delay: { minMs: 250, maxMs: 250, phase: 'request' },
      action: null,
      kind: 'delay',
    });
    expect(envoyFault({ 'x-envoy-fault-throughput-response': '64' }, never)).toMatchObject({
      action: { kind: 'throttle', requestBps: null, responseBps: 65536 },
    });
    expect(envoyFault({ 'x-envoy-fault-throughput-response': '0' }, never)).toBeNull();
  });
  it('percentages: above 100 is 100, unparsable is 100, 0 never fires', () => {
    const abort = (p: string) =>
      envoyFault({ 'x-envoy-fault-abort-request': '503', 'x-envoy-fault-abort-request-percentage': p }, never);
    expect(abort('150')).not.toBeNull();
    expect(abort('ten')).not.toBeNull();
    expect(abort('0')).toBeNull();
    expect(abort('99')).toBeNull(); // the draw 0.99 is not under 99%
    expect(
      envoyFault({ 'x-envoy-fault-abort-request': '503', 'x-envoy-fault-abort-request-percentage': '50' }, () => 0.2),
    ).not.toBeNull();
  });
});
