import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { runCli } from '../helpers/cli.js';
import { startProxy } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { countingUpstream } from '../helpers/upstream.js';
import { api } from '../admin/api.js';
import type { RuleView } from '../../src/client/wire.js';

const cleanup = cleanupAfterEach();

const SCENARIO = `version: 1
rules:
  - name: teapot
    enabled: false
    match: { path: /status/200 }
    fault: { status: 418 }
  - name: flaky
    match: { path: /status/201 }
    when: { probability: 0% }
    fault: { status: 503 }
`;

async function setup() {
  const up = await countingUpstream();
  cleanup.push(() => up.close());
  const fl = await startProxy(up.url, { scenario: SCENARIO });
  cleanup.push(() => fl.close());
  return fl;
}

const rule = async (admin: string, name: string) => (await api(admin, 'GET', `/rules/${name}`)).json as unknown as RuleView;

describe('time-limited runtime changes', () => {
  it('enable --for: the rule fires, the view shows the time left, then it goes back to what the file says', async () => {
    const fl = await setup();
    const cli = await runCli(['enable', 'teapot', '--for', '1s', '--admin', fl.admin.replace('http://', '')]);
    expect(cli.code).toBe(0);
    expect(cli.stdout.trim()).toBe("teapot: enabled; reverts to its file's values in 1s");
    const during = await rule(fl.admin, 'teapot');
    expect(during.state).toBe('enabled');
    expect(during.revertsInMs).toBeGreaterThan(500);
    expect(during.revertsInMs).toBeLessThanOrEqual(1000);
    expect((await request(`${fl.url}/status/200`)).status).toBe(418);
    await new Promise((r) => setTimeout(r, 1300));
    const after = await rule(fl.admin, 'teapot');
    expect(after.state).toBe('disabled');
    expect(after.revertsInMs).toBeUndefined();
    expect((await request(`${fl.url}/status/200`)).status).toBe(200);
    expect(fl.logs.some((l) => String(l.msg).includes('time-limited change ran out'))).toBe(true);
  });

  it('PATCH probability with for reverts to the file probability; a later change without for cancels the revert', async () => {
    const fl = await setup();
    const patched = await api(fl.admin, 'PATCH', '/rules/flaky', { body: JSON.stringify({ probability: '100%', for: '1s' }) });
    expect(patched.json).toMatchObject({ probability: 1, probabilityOverridden: true });
    expect((await request(`${fl.url}/status/201`)).status).toBe(503);
    await new Promise((r) => setTimeout(r, 1300));
    expect(await rule(fl.admin, 'flaky')).toMatchObject({ probability: 0, probabilityOverridden: false });
    expect((await request(`${fl.url}/status/201`)).status).toBe(201);

    await api(fl.admin, 'PATCH', '/rules/flaky', { body: JSON.stringify({ probability: '100%', for: '1s' }) });
    await api(fl.admin, 'PATCH', '/rules/flaky', { body: JSON.stringify({ probability: '100%' }) });
    expect((await rule(fl.admin, 'flaky')).revertsInMs).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1300));
    expect(await rule(fl.admin, 'flaky')).toMatchObject({ probability: 1, probabilityOverridden: true });
  });

  it('refuses a for without a change, or out of bounds', async () => {
    const fl = await setup();
    for (const [body, message] of [
      [{ for: '5m' }, 'for: give it with enabled and/or probability'],
      [{ enabled: true, for: '25h' }, 'for: must be more than 0 and at most 24h'],
      [{ enabled: true, for: 'soon' }, 'for: expected a duration like 250ms, 1.5s, 2m or 1h'],
    ] as const) {
      const reply = await api(fl.admin, 'PATCH', '/rules/teapot', { body: JSON.stringify(body) });
      expect(reply.status).toBe(400);
      expect(String(reply.json!.detail)).toContain(message);
    }
    expect((await rule(fl.admin, 'teapot')).state).toBe('disabled');
  });
});
