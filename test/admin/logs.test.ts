import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { startDemoUpstream, startProxy, type Running } from '../helpers/faultline.js';
import { ADMIN_SCENARIO, api } from './api.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

async function setup(): Promise<Running> {
  const demo = await startDemoUpstream();
  cleanups.push(() => demo.close());
  const proxy = await startProxy(demo.url, { scenario: ADMIN_SCENARIO, flags: { upstreamTimeout: '200ms' } });
  cleanups.push(() => proxy.close());
  return proxy;
}

describe('logs that tell the story', () => {
  it('writes one info line per injected fault and a warn line per upstream error', async () => {
    const proxy = await setup();
    await request(`${proxy.url}/upload/a.bin?x=1`, { method: 'PUT', body: 'abc', headers: { 'x-request-id': 'req-fault-1' } });
    await request(`${proxy.url}/delay/1000`, { headers: { 'x-request-id': 'req-slow-1' } });
    const faults = proxy.logs.filter((l) => l.msg === 'fault injected');
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({
      level: 30,
      reqId: 'req-fault-1',
      rule: 'full-disk',
      kind: 'status',
      code: 507,
      method: 'PUT',
      path: '/upload/a.bin',
    });
    const warns = proxy.logs.filter((l) => l.level === 40);
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({
      msg: 'upstream request failed',
      reqId: 'req-slow-1',
      reason: 'timeout',
      method: 'GET',
      path: '/delay/1000',
    });
  });

  it('logs each admin change with the rule, the field and old -> new', async () => {
    const proxy = await setup();
    await api(proxy.admin, 'PATCH', '/rules/teapot', {
      body: '{"enabled": true, "probability": "10%"}',
      headers: { 'x-request-id': 'adm-1' },
    });
    await api(proxy.admin, 'PATCH', '/rules/teapot', { body: '{"enabled": true}' }); // no change: no line
    const changes = proxy.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('admin: rule'));
    expect(changes).toEqual([
      expect.objectContaining({
        level: 30,
        reqId: 'adm-1',
        rule: 'teapot',
        field: 'enabled',
        from: false,
        to: true,
        msg: 'admin: rule "teapot" enabled',
      }),
      expect.objectContaining({
        level: 30,
        reqId: 'adm-1',
        rule: 'teapot',
        field: 'probability',
        from: null,
        to: 0.1,
        msg: 'admin: rule "teapot" probability file (50%) -> 10%',
      }),
    ]);
  });

  it('logs what a PUT /rules and a reload changed', async () => {
    const proxy = await setup();
    await api(proxy.admin, 'PUT', '/rules', { body: ADMIN_SCENARIO.replace('name: teapot', 'name: kettle') });
    expect(proxy.logs.find((l) => l.msg === 'admin: rule set replaced (it lasts until the next file reload)')).toMatchObject({
      rules: 2,
      added: ['kettle'],
      removed: ['teapot'],
      changed: [],
      unchanged: 1,
    });
    writeFileSync(proxy.scenarioFile!, ADMIN_SCENARIO.replace('status: 507', 'status: 503'));
    await api(proxy.admin, 'POST', '/reload');
    expect(proxy.logs.find((l) => l.msg === 'scenarios reloaded')).toMatchObject({
      reason: 'admin API',
      rules: 2,
      added: ['teapot'],
      removed: ['kettle'],
      changed: ['full-disk'],
      unchanged: 0,
    });
    writeFileSync(proxy.scenarioFile!, 'version: 1\nrules: nope\n');
    await api(proxy.admin, 'POST', '/reload');
    expect(proxy.logs.find((l) => l.msg === 'scenario reload rejected; previous rules keep serving')).toMatchObject({
      level: 50,
      reason: 'admin API',
      problem: expect.stringContaining(`${proxy.scenarioFile}:2:`),
    });
  });
});
