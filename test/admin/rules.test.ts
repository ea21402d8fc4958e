import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { startDemoUpstream, startProxy, type Running } from '../helpers/faultline.js';
import { ADMIN_SCENARIO, api } from './api.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

async function setup(scenario = ADMIN_SCENARIO): Promise<Running> {
  const demo = await startDemoUpstream();
  cleanups.push(() => demo.close());
  const proxy = await startProxy(demo.url, { scenario });
  cleanups.push(() => proxy.close());
  return proxy;
}

const put = (proxy: Running): Promise<number> =>
  request(`${proxy.url}/upload/x`, { method: 'PUT', body: 'abc' }).then((r) => r.status);

describe('GET /rules', () => {
  it('lists each rule with its source, state and counters', async () => {
    const proxy = await setup();
    await put(proxy);
    await put(proxy);
    const reply = await api(proxy.admin, 'GET', '/rules');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    const rules = reply.json!.rules as Record<string, unknown>[];
    expect(rules).toEqual([
      {
        name: 'full-disk',
        source: proxy.scenarioFile,
        line: 3,
        state: 'enabled',
        kind: 'status',
        code: 507,
        trigger: 'always',
        probability: null,
        probabilityOverridden: false,
        matched: 2,
        injected: 2,
        active: 0,
        stoppedBy: null,
        dryRun: false,
      },
      {
        name: 'teapot',
        source: proxy.scenarioFile,
        line: 6,
        state: 'disabled',
        kind: 'status',
        code: 418,
        trigger: 'probability 50%',
        probability: 0.5,
        probabilityOverridden: false,
        matched: 0,
        injected: 0,
        active: 0,
        stoppedBy: null,
        dryRun: false,
      },
    ]);
    expect(reply.json!.files).toEqual([proxy.scenarioFile]);
    expect((await api(proxy.admin, 'GET', '/rules/teapot')).json).toMatchObject({ name: 'teapot', state: 'disabled' });
    expect((await api(proxy.admin, 'GET', '/rules/nope')).status).toBe(404);
    // A malformed escape in the name is a 404 too, not a crash of the admin listener.
    expect((await api(proxy.admin, 'GET', '/rules/%E0%A4%A')).status).toBe(404);
    expect((await api(proxy.admin, 'GET', '/rules')).status).toBe(200);
  });
});

describe('PATCH /rules/:name', () => {
  it('disables and re-enables a rule at once', async () => {
    const proxy = await setup();
    expect(await put(proxy)).toBe(507);
    const off = await api(proxy.admin, 'PATCH', '/rules/full-disk', { body: '{"enabled": false}' });
    expect(off.status).toBe(200);
    expect(off.json).toMatchObject({ name: 'full-disk', state: 'disabled' });
    expect(await put(proxy)).toBe(201);
    expect((await api(proxy.admin, 'PATCH', '/rules/full-disk', { body: '{"enabled": true}' })).json).toMatchObject({
      state: 'enabled',
    });
    expect(await put(proxy)).toBe(507);
  });

  it('overrides the probability, and null drops the override', async () => {
    const proxy = await setup();
    const zero = await api(proxy.admin, 'PATCH', '/rules/full-disk', { body: '{"probability": "0%"}' });
    expect(zero.status).toBe(200);
    expect(zero.json).toMatchObject({ probability: 0, probabilityOverridden: true, trigger: 'probability 0%' });
    expect(await put(proxy)).toBe(201);
    expect((await api(proxy.admin, 'PATCH', '/rules/full-disk', { body: '{"probability": 1}' })).json).toMatchObject({
      probability: 1,
    });
    expect(await put(proxy)).toBe(507);
    const back = await api(proxy.admin, 'PATCH', '/rules/teapot', { body: '{"probability": "25%", "enabled": true}' });
    expect(back.json).toMatchObject({ state: 'enabled', probability: 0.25, trigger: 'probability 25%' });
    expect((await api(proxy.admin, 'PATCH', '/rules/teapot', { body: '{"probability": null}' })).json).toMatchObject({
      probability: 0.5,
      probabilityOverridden: false,
    });
    expect(proxy.app.rules.current.byName.get('teapot')!.state.probability).toBeNull();
  });

  it('answers 404 for an unknown rule', async () => {
    const proxy = await setup();
    const reply = await api(proxy.admin, 'PATCH', '/rules/nope', { body: '{"enabled": false}' });
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.json).toMatchObject({ status: 404, code: 'FAULTLINE_ADMIN_NOT_FOUND', detail: 'no rule named "nope"' });
  });

  it.each([
    ['{"enabled": false, "colour": "red"}', 'unknown key "colour" (expected enabled, probability, for)'],
    ['{"enabled": "no"}', 'enabled: expected true or false, got "no"'],
    ['{"probability": "150%"}', 'probability: expected a probability like 5% or 0.05 (between 0 and 1), got "150%"'],
    ['{}', 'nothing to change: give enabled and/or probability'],
    ['[1]', 'the body must be a JSON object'],
  ])('answers 400 for %s and changes nothing', async (body, detail) => {
    const proxy = await setup();
    const reply = await api(proxy.admin, 'PATCH', '/rules/full-disk', { body });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ status: 400, code: 'FAULTLINE_ADMIN_BAD_REQUEST', detail });
    expect(proxy.app.rules.current.byName.get('full-disk')!.state).toMatchObject({ enabled: true, probability: null });
  });

  it('answers 400 for a body that is not JSON', async () => {
    const proxy = await setup();
    const reply = await api(proxy.admin, 'PATCH', '/rules/full-disk', { body: 'enabled=false' });
    expect(reply.status).toBe(400);
    expect(String(reply.json!.detail)).toMatch(/^the body is not JSON: /);
  });

  it('answers 413 for a body over 1 MiB, and the connection survives to say so', async () => {
    const proxy = await setup();
    const reply = await api(proxy.admin, 'PATCH', '/rules/full-disk', { body: Buffer.alloc(1024 * 1024 + 1, 0x20) });
    expect(reply.status).toBe(413);
    expect(reply.json).toMatchObject({ code: 'FAULTLINE_PAYLOAD_TOO_LARGE' });
    expect(proxy.app.rules.current.byName.get('full-disk')!.state.enabled).toBe(true);
  });

  it('answers 413 for a chunked body that grows past 1 MiB', async () => {
    const proxy = await setup();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${proxy.admin}/rules`, { method: 'PUT', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      for (let i = 0; i < 5; i++) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
    expect(proxy.app.rules.current.rules).toHaveLength(2);
  });

  it('answers 405 with Allow for a wrong method', async () => {
    const proxy = await setup();
    const reply = await api(proxy.admin, 'DELETE', '/rules/full-disk');
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, PATCH');
  });
});

describe('PUT /rules', () => {
  it('replaces the rule set at once, keeping the state of unchanged rules', async () => {
    const proxy = await setup();
    await put(proxy);
    const next = ADMIN_SCENARIO.replace('name: teapot', 'name: teapot2').replace('    enabled: false\n', '');
    const reply = await api(proxy.admin, 'PUT', '/rules', { body: next, headers: { 'content-type': 'application/yaml' } });
    expect(reply.status).toBe(200);
    expect(reply.json!.changes).toEqual({ added: ['teapot2'], removed: ['teapot'], changed: [], unchanged: 1 });
    const rules = reply.json!.rules as Record<string, unknown>[];
    expect(rules.map((r) => [r.name, r.source, r.injected])).toEqual([
      ['full-disk', '<request>', 1],
      ['teapot2', '<request>', 0],
    ]);
    expect(await put(proxy)).toBe(507);
    expect(proxy.app.rules.current.byName.has('teapot2')).toBe(true);
  });

  it('takes JSON too', async () => {
    const proxy = await setup();
    const body = JSON.stringify({ version: 1, rules: [{ name: 'all-503', match: { path: '/**' }, fault: { status: 503 } }] });
    expect((await api(proxy.admin, 'PUT', '/rules', { body, headers: { 'content-type': 'application/json' } })).status).toBe(200);
    expect((await request(`${proxy.url}/status/200`)).status).toBe(503);
  });

  it('answers 422 with every problem at its <request>:line:column, and keeps the rules', async () => {
    const proxy = await setup();
    const body =
      'version: 1\nrules:\n  - name: a\n    match: { path: /x }\n    fault: { status: 99 }\n  - name: a\n    colour: red\n    fault: { reset: true }\n';
    const reply = await api(proxy.admin, 'PUT', '/rules', { body });
    expect(reply.status).toBe(422);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.json).toMatchObject({ status: 422, code: 'FAULTLINE_SCENARIO_INVALID' });
    const problems = reply.json!.problems as { file: string; line: number; column: number; path: string; message: string }[];
    expect(problems.length).toBeGreaterThanOrEqual(2);
    for (const p of problems) expect(p.file).toBe('<request>');
    expect(problems.map((p) => `${p.line}:${p.column} ${p.path}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^5:\d+ rules\[0\]\.fault\.status$/),
        expect.stringMatching(/^7:5 rules\[1\]/),
      ]),
    );
    const detail = String(reply.json!.detail).split('\n');
    expect(detail[0]).toBe('the rule set is invalid; the current rules keep serving:');
    expect(detail.slice(1)).toEqual(
      problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`),
    );
    expect(proxy.app.rules.current.rules.map((r) => r.name)).toEqual(['full-disk', 'teapot']);
    expect((await api(proxy.admin, 'PUT', '/rules', { body: '' })).status).toBe(422);
  });
});

describe('POST /reload', () => {
  it('re-reads the files and answers what changed', async () => {
    const proxy = await setup();
    writeFileSync(proxy.scenarioFile!, ADMIN_SCENARIO.replace('status: 507', 'status: 503'));
    const reply = await api(proxy.admin, 'POST', '/reload');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      ok: true,
      rules: 2,
      changes: { added: [], removed: [], changed: ['full-disk'], unchanged: 1 },
      warnings: [],
    });
    expect(await put(proxy)).toBe(503);
  });

  it('answers 422 with the problems when a file is invalid; the previous rules keep serving', async () => {
    const proxy = await setup();
    writeFileSync(proxy.scenarioFile!, 'version: 2\nrules: []\n');
    const reply = await api(proxy.admin, 'POST', '/reload');
    expect(reply.status).toBe(422);
    expect(reply.json).toMatchObject({
      code: 'FAULTLINE_SCENARIO_INVALID',
      problems: [{ file: proxy.scenarioFile, line: 1, column: 10, path: 'version' }],
    });
    expect(await put(proxy)).toBe(507);
  });
});
