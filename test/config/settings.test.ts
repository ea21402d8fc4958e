import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/load.js';
import { SETTINGS } from '../../src/config/spec.js';

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-cfg-')), 'faultline.yaml');
  writeFileSync(file, text);
  return file;
}

describe('settings precedence: flag > env > file > default', () => {
  const file = configFile('upstream: http://file.example\nlisten: 127.0.0.1:7001\nadmin: 127.0.0.1:7002\nlogLevel: warn\n');
  it('uses defaults when nothing is given', () => {
    const s = loadSettings({ flags: new Map(), env: {}, configFile: null });
    expect(s.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(s.admin).toEqual({ host: '127.0.0.1', port: 8081 });
    expect(s.upstreamTimeoutMs).toBe(30_000);
    expect(s.shutdownGraceMs).toBe(10_000);
    expect(s.upstream).toBeNull();
  });
  it('file over default', () => {
    const s = loadSettings({ flags: new Map(), env: {}, configFile: file });
    expect(s.listen.port).toBe(7001);
    expect(s.logLevel).toBe('warn');
    expect(s.upstream?.href).toBe('http://file.example/');
  });
  it('env over file', () => {
    const s = loadSettings({
      flags: new Map(),
      env: { FAULTLINE_LISTEN: '127.0.0.1:7003', FAULTLINE_LOG_LEVEL: 'debug' },
      configFile: file,
    });
    expect(s.listen.port).toBe(7003);
    expect(s.logLevel).toBe('debug');
    expect(s.admin.port).toBe(7002);
  });
  it('flag over env', () => {
    const s = loadSettings({
      flags: new Map([['listen', '127.0.0.1:7004']]),
      env: { FAULTLINE_LISTEN: '127.0.0.1:7003' },
      configFile: file,
    });
    expect(s.listen.port).toBe(7004);
  });
  it('env lists are comma-separated', () => {
    const s = loadSettings({ flags: new Map(), env: { FAULTLINE_SCENARIOS: 'a.yaml, b/' }, configFile: null });
    expect(s.scenarios).toEqual(['a.yaml', 'b/']);
  });
});

describe('config/faultline.yaml documents every setting', () => {
  const text = readFileSync(new URL('../../config/faultline.yaml', import.meta.url), 'utf8');
  for (const spec of SETTINGS) {
    it(spec.key, () => {
      expect(text).toMatch(new RegExp(`^#? ?${spec.key}:`, 'm'));
      expect(text).toContain(spec.env);
    });
  }
  it('loads as a config file', () => {
    expect(() =>
      loadSettings({ flags: new Map(), env: {}, configFile: new URL('../../config/faultline.yaml', import.meta.url).pathname }),
    ).not.toThrow();
  });
});

describe('docs/configuration.md documents every setting', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const rows = doc.split('\n').filter((l) => l.startsWith('| `--'));
  for (const spec of SETTINGS) {
    it(spec.key, () => {
      const flag = spec.kind === 'boolean' && spec.default === true ? `--no-${spec.flag}` : `--${spec.flag}`;
      const row = rows.find((r) => r.startsWith(`| \`${flag}`));
      expect(row, flag).toBeDefined();
      expect(row).toContain(`\`${spec.env}\``);
      expect(row).toContain(`\`${spec.key}\``);
    });
  }
  it('documents no setting that does not exist', () => {
    const flags = rows.map((r) => /^\| `--(?:no-)?([a-z0-9-]+)/.exec(r)![1]);
    expect(flags.filter((f) => f !== 'config' && !SETTINGS.some((spec) => spec.flag === f))).toEqual([]);
  });
});
