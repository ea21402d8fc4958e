import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { countingUpstream } from '../helpers/upstream.js';
import { api } from '../admin/api.js';
import { createSession } from './helpers.js';
import type { SessionView, VerifyAnswer } from '../../src/client/wire.js';

const cleanup = cleanupAfterEach();

async function setup(scenario?: string, flags: Record<string, string> = {}) {
  const up = await countingUpstream();
  cleanup.push(() => up.close());
  const fl = await startProxy(up.url, { ...(scenario === undefined ? {} : { scenario }), flags });
  cleanup.push(() => fl.close());
  return { up, fl };
}

const rule = (name: string, status: number, extra: Record<string, unknown> = {}) => ({
  name,
  match: { path: '/status/200' },
  fault: { status },
  ...extra,
});

describe('sessions: faults scoped to one test', () => {
  it('two sessions with contradicting rules, used at once, each see only their own faults; a client without a header sees none', async () => {
    const { up, fl } = await setup();
    const a = await createSession(fl.admin, { rules: [rule('disk-full', 507)] });
    const b = await createSession(fl.admin, { rules: [rule('overloaded', 503)] });
    expect(a.header).toEqual({ 'x-faultline-session': a.id });
    expect(a.id).not.toBe(b.id);
    const send = (headers: Record<string, string>) => request(`${fl.url}/status/200`, { headers });
    const rounds = await Promise.all(Array.from({ length: 10 }, () => Promise.all([send(a.header), send(b.header), send({})])));
    for (const [ra, rb, rc] of rounds) {
      expect(ra.status).toBe(507);
      expect(ra.headers['x-faultline-fault']).toBe('disk-full');
      expect(rb.status).toBe(503);
      expect(rb.headers['x-faultline-fault']).toBe('overloaded');
      expect(rc.status).toBe(200);
      expect(rc.headers['x-faultline-fault']).toBeUndefined();
    }
    // Only the third client's requests reached the upstream, none of them faulted.
    expect(up.seen.filter((s) => s.url === '/status/200')).toHaveLength(10);
    const stats = (await api(fl.admin, 'GET', `/sessions/${a.id}`)).json as unknown as SessionView;
    expect(stats.rules.map((r) => [r.name, r.matched, r.injected])).toEqual([['disk-full', 10, 10]]);
  });

  it('a request of a session that no rule fires for passes through without the session header', async () => {
    const { up, fl } = await setup();
    const s = await createSession(fl.admin, { rules: [rule('disk-full', 507)] });
    const reply = await request(`${fl.url}/echo`, { headers: { ...s.header, 'x-other': 'kept' } });
    expect(reply.status).toBe(200);
    const seen = up.seen.find((r) => r.url === '/echo')!;
    expect(seen.headers['x-faultline-session']).toBeUndefined();
    expect(seen.headers['x-other']).toBe('kept');
  });

  it("keeps each session's counters and times/after state apart", async () => {
    const { fl } = await setup();
    const body = { rules: [rule('twice', 507, { when: { after: 1, times: 2 } })] };
    const a = await createSession(fl.admin, body);
    const b = await createSession(fl.admin, body);
    const statuses = async (h: Record<string, string>) => {
      const out: number[] = [];
      for (let i = 0; i < 5; i++) out.push((await request(`${fl.url}/status/200`, { headers: h })).status);
      return out;
    };
    expect(await statuses(a.header)).toEqual([200, 507, 507, 200, 200]);
    expect(await statuses(b.header)).toEqual([200, 507, 507, 200, 200]);
    const view = (await api(fl.admin, 'GET', `/sessions/${a.id}`)).json as unknown as SessionView;
    expect(view.rules[0]).toMatchObject({
      name: 'twice',
      matched: 5,
      injected: 2,
      trigger: 'after 1, times 2',
      source: '<session>',
    });
    expect(view.remainingMs).toBeGreaterThan(9 * 60_000);
  });

  it('replays the same random decisions from the same seed', async () => {
    const { fl } = await setup();
    const body = (seed: number) => ({ seed, rules: [rule('coin', 507, { when: { probability: '50%' } })] });
    const run = async (seed: number) => {
      const s = await createSession(fl.admin, body(seed));
      expect(s.seed).toBe(seed);
      const out: number[] = [];
      for (let i = 0; i < 24; i++) out.push((await request(`${fl.url}/status/200`, { headers: s.header })).status);
      return out.join(',');
    };
    const first = await run(42);
    expect(first).toContain('507');
    expect(first).toContain('200');
    expect(await run(42)).toBe(first);
    expect(await run(7)).not.toBe(first);
    // A session without a seed reports the one it drew, so its run can be replayed.
    const drawn = await createSession(fl.admin, { rules: [rule('x', 507)] });
    expect(Number.isInteger(drawn.seed)).toBe(true);
  });

  it('ends by itself when its TTL runs out; its requests then pass through untouched', async () => {
    const { fl } = await setup();
    const s = await createSession(fl.admin, { ttl: '1s', rules: [rule('short', 507)] });
    expect(s.ttlMs).toBe(1000);
    expect((await request(`${fl.url}/status/200`, { headers: s.header })).status).toBe(507);
    await new Promise((r) => setTimeout(r, 1300));
    const gone = await api(fl.admin, 'GET', `/sessions/${s.id}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ code: 'FAULTLINE_ADMIN_NOT_FOUND' });
    expect((await request(`${fl.url}/status/200`, { headers: s.header })).status).toBe(200);
    const listing = (await api(fl.admin, 'GET', '/sessions')).json!;
    expect(listing).toMatchObject({ sessions: [], unknownRequests: 1 });
    expect(fl.logs.filter((l) => String(l.msg).startsWith('a request named a session'))).toHaveLength(1);
  });

  it('DELETE ends a session and answers its final counters', async () => {
    const { fl } = await setup();
    const s = await createSession(fl.admin, { rules: [rule('gone', 507)] });
    await request(`${fl.url}/status/200`, { headers: s.header });
    const del = await api(fl.admin, 'DELETE', `/sessions/${s.id}`);
    expect(del.status).toBe(200);
    expect((del.json as unknown as SessionView).rules[0]).toMatchObject({ injected: 1 });
    expect((await api(fl.admin, 'DELETE', `/sessions/${s.id}`)).status).toBe(404);
    expect((await request(`${fl.url}/status/200`, { headers: s.header })).status).toBe(200);
  });

  it('isolate: false tries the session rules first, then the global ones; isolated sessions never see global rules', async () => {
    const { fl } = await setup(`version: 1
rules:
  - name: global-teapot
    match: { path: /status/** }
    fault: { status: 418 }
`);
    const layered = await createSession(fl.admin, { isolate: false, rules: [rule('own', 507)] });
    const isolated = await createSession(fl.admin, { rules: [rule('own', 507)] });
    expect((await request(`${fl.url}/status/200`, { headers: layered.header })).status).toBe(507);
    expect((await request(`${fl.url}/status/201`, { headers: layered.header })).status).toBe(418);
    expect((await request(`${fl.url}/status/201`, { headers: isolated.header })).status).toBe(201);
    expect((await request(`${fl.url}/status/201`)).status).toBe(418);
  });

  it('gives quota rules of a session their own usage', async () => {
    const { fl } = await setup(`version: 1
rules:
  - name: one-upload
    match: { method: PUT, path: /upload/** }
    when: { quota: { key: global, measure: requests, limit: 1 } }
    fault: { status: 507 }
`);
    const quotaRule = {
      name: 'one-upload',
      match: { method: 'PUT', path: '/upload/**' },
      when: { quota: { key: 'global', measure: 'requests', limit: 1 } },
      fault: { status: 507 },
    };
    const a = await createSession(fl.admin, { rules: [quotaRule] });
    const b = await createSession(fl.admin, { rules: [quotaRule] });
    const put = (h: Record<string, string>) => request(`${fl.url}/upload/x`, { method: 'PUT', headers: h, body: 'x' });
    expect((await put(a.header)).status).toBe(201);
    expect((await put(a.header)).status).toBe(507);
    expect((await put(b.header)).status).toBe(201);
    expect((await put({})).status).toBe(201);
    expect((await put({})).status).toBe(507);
    expect((await put(b.header)).status).toBe(507);
    const listed = (await api(fl.admin, 'GET', '/quotas')).json as { quotas: { rule: string; used: number }[] };
    expect(listed.quotas).toEqual([expect.objectContaining({ rule: 'one-upload', used: 1 })]);
    const view = (await api(fl.admin, 'GET', `/sessions/${a.id}`)).json as unknown as SessionView;
    expect(view.rules[0]).toMatchObject({
      name: 'one-upload',
      matched: 2,
      injected: 1,
      usage: [{ rule: 'one-upload', key: 'global', used: 1, limit: 1, unit: 'requests' }],
    });
    // The store keeps a session's usage apart, and forgets it when the session ends.
    const stored = async () => (await fl.app.quotaStore.entries(() => 0)).map((e) => e.rule).sort();
    expect(await stored()).toEqual(['one-upload', `one-upload@${a.id}`, `one-upload@${b.id}`].sort());
    await api(fl.admin, 'DELETE', `/sessions/${a.id}`);
    expect(await stored()).toEqual(['one-upload', `one-upload@${b.id}`].sort());
  });

  it('answers invalid rules with problem+json positioned in the JSON as sent', async () => {
    const { fl } = await setup();
    const body = `{
  "ttl": "10m",
  "rules": [
    { "name": "bad", "fault": { "status": 999 } },
    { "name": "Bad Name", "fault": { "status": 507 } }
  ],
  "isolated": true
}`;
    const reply = await api(fl.admin, 'POST', '/sessions', { body });
    expect(reply.status).toBe(422);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    const problems = (reply.json as { problems: { line: number; column: number; path: string; message: string }[] }).problems;
    expect(problems.map((p) => `${p.line}:${p.column} ${p.path}`)).toEqual([
      '4:43 rules[0].fault.status',
      '5:15 rules[1].name',
      '7:3 isolated',
    ]);
    expect(reply.json).toMatchObject({ code: 'FAULTLINE_SCENARIO_INVALID' });
    expect(String(reply.json!.detail)).toContain('<session>:4:43: rules[0].fault.status:');
    expect((await api(fl.admin, 'POST', '/sessions', { body: '{"rules": [], "ttl": "25h"}' })).json).toMatchObject({
      problems: [expect.objectContaining({ path: 'ttl', message: expect.stringContaining('1s to 24h') })],
    });
    expect((await api(fl.admin, 'POST', '/sessions', { body: '{"rules": [' })).status).toBe(422);
  });

  it('bounds the number of live sessions', async () => {
    const { fl } = await setup(undefined, { maxSessions: '2' });
    await createSession(fl.admin, { rules: [] });
    const second = await createSession(fl.admin, { rules: [] });
    const third = await api(fl.admin, 'POST', '/sessions', { body: '{"rules": []}' });
    expect(third.status).toBe(429);
    expect(third.json).toMatchObject({ code: 'FAULTLINE_SESSION_LIMIT' });
    await api(fl.admin, 'DELETE', `/sessions/${second.id}`);
    await createSession(fl.admin, { rules: [] });
  });

  it('verifies a session: what fired, and why a rule did not', async () => {
    const { fl } = await setup();
    const s = await createSession(fl.admin, {
      rules: [rule('fires', 507), { name: 'never-reached', match: { path: '/nowhere' }, fault: { status: 500 } }],
    });
    for (let i = 0; i < 3; i++) await request(`${fl.url}/status/200`, { headers: s.header });
    const ok = (await api(fl.admin, 'GET', `/sessions/${s.id}/verify?rule=fires&min=3`)).json as unknown as VerifyAnswer;
    expect(ok).toEqual({ ok: true, results: [expect.objectContaining({ rule: 'fires', ok: true, fired: 3, matched: 3 })] });
    const bad = (await api(fl.admin, 'GET', `/sessions/${s.id}/verify?rule=fires&rule=never-reached&rule=typo`))
      .json as unknown as VerifyAnswer;
    expect(bad.ok).toBe(false);
    expect(bad.results.map((r) => r.message)).toEqual([
      null,
      'never-reached fired 0 times; it matched 0 requests: no request reached it',
      'typo: there is no rule by that name',
    ]);
  });

  it('metrics carry no session id', async () => {
    const { fl } = await setup();
    const s = await createSession(fl.admin, { rules: [rule('disk-full', 507)] });
    await request(`${fl.url}/status/200`, { headers: s.header });
    const metrics = (await api(fl.admin, 'GET', '/metrics')).text;
    expect(metrics).toContain('faultline_faults_injected_total{rule="disk-full",kind="status",code="507"} 1');
    expect(metrics).not.toContain(s.id);
  });
});
