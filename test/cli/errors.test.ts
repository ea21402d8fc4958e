import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { closeServer, listenOn } from '../helpers/http.js';

function expectOneLineError(run: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(run.code).toBe(2);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('CLI error paths: one line, exit code 2, no stack trace', () => {
  it('unknown flag', async () => {
    expectOneLineError(
      await runCli(['serve', '--upstream', 'http://127.0.0.1:1', '--bogus']),
      /^faultline: unknown option --bogus/,
    );
  });
  it('unknown command', async () => {
    expectOneLineError(await runCli(['frobnicate']), /^faultline: unknown command "frobnicate"/);
  });
  it('bad upstream URL', async () => {
    expectOneLineError(await runCli(['serve', '--upstream', 'not a url']), /^faultline: --upstream: "not a url" is not a URL/);
  });
  it('non-http upstream', async () => {
    expectOneLineError(await runCli(['serve', '--upstream', 'ftp://x']), /must be an http:\/\/, https:\/\/ or h2c:\/\/ URL/);
  });
  it('missing upstream', async () => {
    expectOneLineError(await runCli(['serve', '--listen', '127.0.0.1:0']), /^faultline: no upstream/);
  });
  it('bad listen address', async () => {
    expectOneLineError(
      await runCli(['serve', '--upstream', 'http://127.0.0.1:1', '--listen', 'nope']),
      /--listen: "nope" is not HOST:PORT/,
    );
  });
  it('bad env value names the variable', async () => {
    expectOneLineError(
      await runCli(['serve', '--upstream', 'http://127.0.0.1:1'], { env: { FAULTLINE_UPSTREAM_TIMEOUT: 'soon' } }),
      /^faultline: FAULTLINE_UPSTREAM_TIMEOUT: /,
    );
  });
  it('port in use', async () => {
    const blocker = net.createServer();
    const port = await listenOn(blocker);
    try {
      expectOneLineError(
        await runCli(['serve', '--upstream', 'http://127.0.0.1:1', '--listen', `127.0.0.1:${port}`, '--admin', '127.0.0.1:0']),
        new RegExp(`^faultline: cannot listen for the proxy on 127\\.0\\.0\\.1:${port}: address already in use`),
      );
    } finally {
      await closeServer(blocker);
    }
  });
  it('unknown key in the config file, with file:line:column and a hint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-cfg-'));
    const file = join(dir, 'faultline.yaml');
    writeFileSync(file, 'upstream: http://127.0.0.1:1\nlisten: 127.0.0.1:0\nlogLevle: debug\n');
    expectOneLineError(
      await runCli(['serve', '--config', file]),
      new RegExp(`^faultline: ${file.replace(/[.]/g, '\\.')}:3:1: unknown setting "logLevle" \\(did you mean "logLevel"\\?\\)`),
    );
  });
  it('missing config file', async () => {
    expectOneLineError(await runCli(['serve', '--config', '/nonexistent/faultline.yaml']), /cannot read config file \(ENOENT\)/);
  });
  it('--help works for every command', async () => {
    for (const command of ['serve', 'demo', 'demo-upstream', 'validate']) {
      const run = await runCli([command, '--help']);
      expect(run.code, command).toBe(0);
      expect(run.stdout, command).toMatch(/Usage: faultline/);
    }
  });
});
