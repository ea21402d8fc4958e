import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { countingUpstream } from '../helpers/upstream.js';

let up: Awaited<ReturnType<typeof countingUpstream>>;
let withHeaders: Running;
let withoutHeaders: Running;
beforeAll(async () => {
  up = await countingUpstream();
  withHeaders = await startProxy(up.url, { scenario: 'version: 1\nheaderFaults: true\nrules: []\n' });
  withoutHeaders = await startProxy(up.url, { scenario: 'version: 1\nrules: []\n' });
});
afterAll(async () => {
  await withHeaders.close();
  await withoutHeaders.close();
  await up.close();
});

describe('per-request faults from x-faultline-fault (headerFaults: true)', () => {
  it('status=507 answers without forwarding, marked as a header fault', async () => {
    const r = await request(`${withHeaders.url}/h/1`, { method: 'PUT', headers: { 'x-faultline-fault': 'status=507' } });
    expect(r.status).toBe(507);
    expect(r.headers['x-faultline-fault']).toBe('header');
    expect(JSON.parse(r.text)).toMatchObject({ status: 507, title: 'Insufficient Storage' });
    expect(up.seen.some((s) => s.url === '/h/1')).toBe(false);
  });

  it('delay=200ms; status=503 combine: wait, then answer', async () => {
    const t = Date.now();
    const r = await request(`${withHeaders.url}/h/2`, { headers: { 'x-faultline-fault': 'delay=200ms; status=503' } });
    expect(r.status).toBe(503);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
  });

  it('a pure delay forwards, and the header is removed before forwarding', async () => {
    const r = await request(`${withHeaders.url}/echo`, { headers: { 'x-faultline-fault': 'delay=10ms' } });
    expect(r.status).toBe(200);
    const echoed = JSON.parse(r.text) as { headers: Record<string, string> };
    expect(echoed.headers['x-faultline-fault']).toBeUndefined();
  });

  it('reset and truncate work from the header', async () => {
    await expect(request(`${withHeaders.url}/h/3`, { headers: { 'x-faultline-fault': 'reset' } })).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    await expect(
      request(`${withHeaders.url}/bytes/5000`, { headers: { 'x-faultline-fault': 'truncate=100' } }),
    ).rejects.toThrow();
  });

  it('a malformed header gets 400 problem+json naming the problem', async () => {
    for (const [value, pattern] of [
      ['status=99', /status must be an integer 200-599/],
      ['explode', /unknown fault "explode"/],
      ['delay=soon', /delay/],
      ['status=507, reset', /contradict/],
    ] as const) {
      const r = await request(`${withHeaders.url}/h/bad`, { headers: { 'x-faultline-fault': value } });
      expect(r.status, value).toBe(400);
      expect(r.headers['content-type']).toBe('application/problem+json');
      const body = JSON.parse(r.text) as { code: string; detail: string };
      expect(body.code).toBe('FAULTLINE_BAD_FAULT_HEADER');
      expect(body.detail).toMatch(pattern);
    }
    expect(up.seen.some((s) => s.url === '/h/bad')).toBe(false);
  });

  it('without headerFaults the header is ignored and forwarded unchanged', async () => {
    const r = await request(`${withoutHeaders.url}/echo`, { headers: { 'x-faultline-fault': 'status=507' } });
    expect(r.status).toBe(200);
    expect((JSON.parse(r.text) as { headers: Record<string, string> }).headers['x-faultline-fault']).toBe('status=507');
  });
});
