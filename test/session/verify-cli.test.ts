import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { runCli } from '../helpers/cli.js';
import { startProxy } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { countingUpstream } from '../helpers/upstream.js';
import { createSession } from './helpers.js';

const cleanup = cleanupAfterEach();

const SCENARIO = `version: 1
seed: 3
rules:
  - name: uploads-507
    match: { method: PUT, path: /upload/** }
    fault: { status: 507 }
  - name: flaky-reads
    match: { method: GET, path: /status/** }
    when: { probability: 50% }
    fault: { status: 503 }
  - name: switched-off
    enabled: false
    match: { path: /never/** }
    fault: { status: 500 }
`;

async function setup() {
  const up = await countingUpstream();
  cleanup.push(() => up.close());
  const fl = await startProxy(up.url, { scenario: SCENARIO });
  cleanup.push(() => fl.close());
  return { fl, adminFlag: ['--admin', fl.admin.replace('http://', '')] };
}

describe('faultline verify', () => {
  it('exits 1 with one line per rule that did not fire, naming why', async () => {
    const { adminFlag } = await setup();
    const r = await runCli(['verify', 'uploads-507', 'switched-off', 'typo', ...adminFlag]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'uploads-507 fired 0 times; it matched 0 requests: no request reached it',
      'switched-off fired 0 times; it matched 0 requests: the rule is disabled',
      'typo: there is no rule by that name',
    ]);
  });

  it('exits 0 when each rule fired as expected; --min and --ratio tighten it', async () => {
    const { fl, adminFlag } = await setup();
    for (let i = 0; i < 2; i++) await request(`${fl.url}/upload/a`, { method: 'PUT', body: 'x' });
    for (let i = 0; i < 200; i++) await request(`${fl.url}/status/200`);
    const ok = await runCli(['verify', 'uploads-507', 'flaky-reads', ...adminFlag]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('ok: uploads-507 fired 2 of 2 matched (expected at least 1 time)');
    const min = await runCli(['verify', 'uploads-507', '--min', '3', ...adminFlag]);
    expect(min.code).toBe(1);
    expect(min.stderr.trim()).toBe(
      'uploads-507 fired 2 times; it matched 2 requests: its trigger (always) let only 2 through; expected at least 3 times',
    );
    expect((await runCli(['verify', 'flaky-reads', '--ratio', '50%±15%', ...adminFlag])).code).toBe(0);
    const ratio = await runCli(['verify', 'flaky-reads', '--ratio', '10%+-2%', ...adminFlag]);
    expect(ratio.code).toBe(1);
    expect(ratio.stderr).toMatch(
      /^flaky-reads fired on \d+ of 200 requests it matched \(\d+(\.\d+)?%\); expected 10%±2% of matched requests\n$/,
    );
  });

  it('verifies a session with --session; an unknown session exits 1', async () => {
    const { fl, adminFlag } = await setup();
    const s = await createSession(fl.admin, { rules: [{ name: 'own', match: { path: '/status/**' }, fault: { status: 507 } }] });
    await request(`${fl.url}/status/200`, { headers: s.header });
    const own = await runCli(['verify', 'own', '--session', s.id, ...adminFlag]);
    expect(own.code, own.stderr).toBe(0);
    // The session's faults are not the global rules'.
    expect((await runCli(['verify', 'own', ...adminFlag])).code).toBe(1);
    const gone = await runCli(['verify', 'own', '--session', 'nope', ...adminFlag]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('no session "nope" here');
  });

  it('exits 2 on usage errors and when no faultline answers', async () => {
    const { adminFlag } = await setup();
    expect((await runCli(['verify', ...adminFlag])).code).toBe(2);
    const badRatio = await runCli(['verify', 'uploads-507', '--ratio', 'lots', ...adminFlag]);
    expect(badRatio.code).toBe(2);
    expect(badRatio.stderr).toContain('expected a ratio like 10%±2%');
    expect((await runCli(['verify', 'x', '--admin', '127.0.0.1:1'])).code).toBe(2);
  });
});
