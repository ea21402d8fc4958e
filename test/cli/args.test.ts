import { describe, expect, it } from 'vitest';
import { runCli, serveCli } from '../helpers/cli.js';
import { scenarioFile, startDemoUpstream } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

/* One command-line behaviour for every command, checked on the built CLI. */

const cleanups = cleanupAfterEach();

const COMMANDS = [
  'serve',
  'demo',
  'demo-upstream',
  'validate',
  'inspect',
  'rules',
  'enable',
  'disable',
  'set',
  'quotas',
  'quota',
  'reload',
  'version',
];

describe('every command', () => {
  it('prints its help for -h and --help, exit 0, nothing on stderr', async () => {
    for (const command of COMMANDS) {
      for (const flag of ['-h', '--help']) {
        const r = await runCli([command, flag]);
        expect({ command, flag, code: r.code, stderr: r.stderr }).toEqual({ command, flag, code: 0, stderr: '' });
        expect(r.stdout, `${command} ${flag}`).toMatch(new RegExp(`^Usage: faultline ${command}\\b`));
        expect(r.stdout, `${command} ${flag}`).toMatch(/-h, --help/);
      }
    }
  });

  it('refuses an unknown option with one line (a did-you-mean when close) and exit 2', async () => {
    for (const [args, line] of [
      [['serve', '--uptream', 'http://x'], 'faultline: unknown option --uptream (did you mean --upstream?) (see --help)'],
      [['demo-upstream', '--lisen', ':0'], 'faultline: unknown option --lisen (did you mean --listen?) (see --help)'],
      [['version', '--bogus'], 'faultline: unknown option --bogus (see --help)'],
      [['quotas', '--jsno'], 'faultline quotas: unknown option --jsno (did you mean --json?) (see --help)'],
    ] as const) {
      const r = await runCli([...args]);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 2, stderr: `${line}\n` });
    }
  });
});

describe('serve options', () => {
  it('help lists the values of enum options, the --no- form of booleans and the defaults', async () => {
    const help = (await runCli(['serve', '--help'])).stdout;
    expect(help).toMatch(/--log-format VALUE +json lines, or pretty for humans \(one of: json, pretty; default json\)/);
    expect(help).toMatch(/--log-level VALUE +log level \(one of: fatal, error, warn, info, debug, trace, silent; default info\)/);
    expect(help).toMatch(/--store-failure VALUE .*\(one of: fail-open, fail-closed; default fail-open\)/);
    expect(help).toMatch(/--\[no-\]marker +add x-faultline-fault: <rule> to injected responses \(default true\)/);
    expect(help).toMatch(/--\[no-\]access-log /);
  });

  it('checks numbers, enums and values in its own words', async () => {
    for (const [args, line] of [
      [['--max-tracked-objects', '-5'], 'faultline: --max-tracked-objects: "-5" is not a non-negative integer'],
      [['--log-format', 'xml'], 'faultline: --log-format: "xml" is not one of json, pretty'],
      [['--listen'], 'faultline: --listen needs a value (--listen HOST:PORT)'],
      [['--marker=no'], 'faultline: --marker takes no value'],
      [['--no-marker=1'], 'faultline: --no-marker takes no value'],
    ] as const) {
      const r = await runCli(['serve', '--upstream', 'http://127.0.0.1:9', ...args]);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 2, stderr: `${line}\n` });
    }
  });

  it('--no-marker turns the marker header off', async () => {
    const demo = await startDemoUpstream();
    cleanups.push(() => demo.close());
    const file = scenarioFile('version: 1\nrules:\n  - name: full\n    fault: { status: 507 }\n');
    const base = ['serve', '--upstream', demo.url, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--scenarios', file];
    for (const [flag, marker] of [
      ['--marker', 'full'],
      ['--no-marker', undefined],
    ] as const) {
      const proxy = await serveCli([...base, flag]);
      cleanups.push(() => proxy.stop());
      const r = await request(`http://127.0.0.1:${proxy.proxyPort}/x`);
      expect({ flag, status: r.status, marker: r.headers['x-faultline-fault'] }).toEqual({ flag, status: 507, marker });
      await proxy.stop();
    }
  });
});

describe('admin client and inspect addresses', () => {
  it('--admin must be HOST:PORT: a clear line, not ENOTFOUND', async () => {
    const r = await runCli(['rules', '--admin', 'nonsense']);
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'faultline rules: --admin: expected HOST:PORT (e.g. 127.0.0.1:8081), got "nonsense"\n',
    });
  });

  it('inspect says what is wrong with its options in the same words', async () => {
    for (const [args, line] of [
      [['--timeout'], 'faultline inspect: --timeout needs a value'],
      [['--json=1', 'http://127.0.0.1:1/'], 'faultline inspect: --json takes no value'],
      [
        ['--max-redirects', '-5', 'http://127.0.0.1:1/'],
        'faultline inspect: --max-redirects needs a value (one starting with a dash is written --max-redirects=-VALUE)',
      ],
    ] as const) {
      const r = await runCli(['inspect', ...args]);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 2, stderr: `${line}\n` });
    }
  });

  it('inspect localhost:8080/x suggests http://localhost:8080/x', async () => {
    const r = await runCli(['inspect', 'localhost:8080/x']);
    expect(r).toMatchObject({
      code: 2,
      stderr: 'faultline inspect: "localhost:8080/x" is not a URL: did you mean http://localhost:8080/x ?\n',
    });
  });
});
