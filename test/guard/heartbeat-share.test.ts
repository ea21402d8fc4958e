import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy } from '../helpers/faultline.js';
import { api } from '../admin/api.js';
import { scrape } from '../metrics/scrape.js';
import { keepAliveClient, many, sleep, switchableUpstream, type Answer } from './helpers.js';

const cleanups = cleanupAfterEach();

const ALWAYS = `version: 1
rules:
  - name: always
    match: { path: /api/** }
    fault: { status: 507 }
`;

async function setup(scenario: string, flags: Record<string, string>, sockets = 1) {
  const upstream = await switchableUpstream();
  cleanups.push(() => upstream.close());
  const proxy = await startProxy(upstream.url, { scenario, flags });
  cleanups.push(() => proxy.close());
  const client = keepAliveClient(proxy.url, sockets);
  cleanups.push(async () => client.close());
  return { proxy, client };
}

describe('--require-heartbeat (dead-man switch)', () => {
  it('injects nothing before the first heartbeat, and stops within one interval of the last', async () => {
    const { proxy, client } = await setup(ALWAYS, { requireHeartbeat: '300ms' });
    expect((await many(client, '/api/x', 10, 1)).some((a) => a.marker !== undefined)).toBe(false);

    const answers: Answer[] = [];
    const beats: number[] = []; // when each heartbeat was sent
    let lastBeatAnswered = 0;
    // Beat every 100 ms for about 600 ms, then stop and keep sending for another 700 ms.
    const startedAt = Date.now();
    let nextBeat = startedAt;
    for (let i = 0; i < 2000 && Date.now() - startedAt < 1300; i++) {
      if (Date.now() >= nextBeat && Date.now() - startedAt < 600) {
        beats.push(Date.now());
        const beat = await api(proxy.admin, 'POST', '/heartbeat');
        expect(beat.status).toBe(200);
        expect(beat.json).toMatchObject({ required: true, live: true });
        lastBeatAnswered = Date.now();
        nextBeat += 100;
      }
      answers.push(await client.get('/api/x'));
      await sleep(5);
    }
    // Sent after the last heartbeat's answer plus one interval: the switch is off for certain.
    const late = answers.filter((a) => a.sentAt > lastBeatAnswered + 300);
    expect(late.length).toBeGreaterThan(5);
    expect(late.filter((a) => a.marker !== undefined)).toEqual([]);
    // Answered within one interval of a heartbeat sent before it: the switch was on for certain.
    const covered = answers.filter((a) => beats.some((b) => b <= a.sentAt && a.doneAt - b <= 300));
    expect(covered.length).toBeGreaterThan(5);
    expect(covered.filter((a) => a.marker !== 'always')).toEqual([]);
    const status = (await api(proxy.admin, 'GET', '/guards')).json!.heartbeat as Record<string, unknown>;
    expect(status).toMatchObject({ required: true, live: false, intervalMs: 300 });
    expect(proxy.logs.some((l) => String(l.msg).startsWith('no heartbeat for 300ms'))).toBe(true);
    const metrics = await scrape(proxy.admin);
    expect(metrics.value('faultline_injections_vetoed_total', { reason: 'heartbeat' })).toBe(
      answers.filter((a) => a.marker === undefined).length + 10,
    );
  });

  it('without --require-heartbeat a heartbeat changes nothing and says so', async () => {
    const { proxy } = await setup(ALWAYS, {});
    const beat = await api(proxy.admin, 'POST', '/heartbeat');
    expect(beat.json).toEqual({ required: false, live: true });
  });
});

describe('share limits', () => {
  it('limit: { share: 10% } holds within one point over 10,000 requests', async () => {
    const { client } = await setup(
      ALWAYS.replace('fault: { status: 507 }', 'fault: { status: 507 }\n    limit: { share: 10% }'),
      {},
      8,
    );
    const answers = await many(client, '/api/x', 10_000, 8);
    const share = answers.filter((a) => a.marker === 'always').length / answers.length;
    expect(share).toBeGreaterThanOrEqual(0.09);
    expect(share).toBeLessThanOrEqual(0.11);
  });

  it('--max-injected-share caps all rules together, counting requests no rule matched', async () => {
    const { proxy, client } = await setup(
      `version: 1
rules:
  - name: a
    match: { path: /a/** }
    fault: { status: 507 }
  - name: b
    match: { path: /b/** }
    fault: { status: 503 }
`,
      { maxInjectedShare: '5%' },
      8,
    );
    const answers = await many(client, (i) => ['/a/x', '/b/x', '/c/x', '/a/y'][i % 4] as string, 4000, 8);
    const injected = answers.filter((a) => a.marker !== undefined).length;
    expect(injected / answers.length).toBeGreaterThanOrEqual(0.04);
    expect(injected / answers.length).toBeLessThanOrEqual(0.05);
    const metrics = await scrape(proxy.admin);
    expect(metrics.value('faultline_injections_vetoed_total', { reason: 'share' })).toBe(3000 - injected);
  });
});
