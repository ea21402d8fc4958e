import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/load.js';
import { parseSettingArgs } from '../../src/cli/args.js';

const load = (flags: Record<string, string | boolean> = {}, env: Record<string, string> = {}, file: string | null = null) =>
  loadSettings({ flags: new Map(Object.entries(flags)), env, configFile: file });

describe('--dry-run, --require-heartbeat, --max-injected-share', () => {
  it('are off by default', () => {
    expect(load()).toMatchObject({ dryRun: false, requireHeartbeatMs: null, maxInjectedShare: null });
  });

  it('come from flags, env and the config file', () => {
    const args = parseSettingArgs(['--dry-run', '--require-heartbeat', '60s', '--max-injected-share', '10%']);
    expect(loadSettings({ flags: args.flags, env: {}, configFile: null })).toMatchObject({
      dryRun: true,
      requireHeartbeatMs: 60_000,
      maxInjectedShare: 0.1,
    });
    expect(
      load({}, { FAULTLINE_DRY_RUN: 'true', FAULTLINE_REQUIRE_HEARTBEAT: '300ms', FAULTLINE_MAX_INJECTED_SHARE: '0.25' }),
    ).toMatchObject({ dryRun: true, requireHeartbeatMs: 300, maxInjectedShare: 0.25 });
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-cfg-')), 'faultline.yaml');
    writeFileSync(file, 'dryRun: true\nrequireHeartbeat: 2m\nmaxInjectedShare: 5%\n');
    expect(load({}, {}, file)).toMatchObject({ dryRun: true, requireHeartbeatMs: 120_000, maxInjectedShare: 0.05 });
  });

  it('refuse values that would switch nothing on, naming where they came from', () => {
    expect(() => load({ requireHeartbeat: '0s' })).toThrow('--require-heartbeat: expected a duration above 0 like 60s');
    expect(() => load({}, { FAULTLINE_MAX_INJECTED_SHARE: '150%' })).toThrow(
      'FAULTLINE_MAX_INJECTED_SHARE: expected a probability like 5% or 0.05 (between 0 and 1), got "150%"',
    );
    expect(() => load({ maxInjectedShare: '0%' })).toThrow('--max-injected-share: expected a share above 0 like 10%');
  });
});
