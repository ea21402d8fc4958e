import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { scenarioFile, startDemoUpstream } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

/* --log-format pretty --access-log: one line per request (method path status duration rule), details at debug. */

const cleanups = cleanupAfterEach();

interface Pretty {
  port: number;
  text: () => string;
  waitFor: (re: RegExp) => Promise<string>;
}

async function servePretty(args: string[]): Promise<Pretty> {
  const demo = await startDemoUpstream();
  cleanups.push(() => demo.close());
  const file = scenarioFile(
    'version: 1\nrules:\n  - name: uploads-507\n    match: { method: PUT }\n    fault: { status: 507 }\n',
  );
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--upstream', demo.url, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--scenarios', file, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise((r) => child.on('close', r));
  cleanups.push(() => {
    child.kill('SIGTERM');
    return exited;
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const waitFor = async (re: RegExp): Promise<string> => {
    for (let i = 0; i < 200; i++) {
      const m = re.exec(out);
      if (m !== null) return m[0];
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no line matching ${re} in:\n${out}`);
  };
  const start = await waitFor(/faultline listening on http:\/\/127\.0\.0\.1:(\d+)/);
  return { port: Number(/:(\d+)$/.exec(start)?.[1]), text: () => out, waitFor };
}

describe('pretty logs', () => {
  it('print one line per request at info: method, path, status, duration and the rule that fired', async () => {
    const p = await servePretty(['--log-format', 'pretty', '--access-log']);
    expect((await request(`http://127.0.0.1:${p.port}/status/200`)).status).toBe(200);
    expect((await request(`http://127.0.0.1:${p.port}/upload/a`, { method: 'PUT', body: 'x' })).status).toBe(507);
    await p.waitFor(/PUT \/upload\/a 507/);
    const lines = p.text().split('\n');
    const after = lines.slice(lines.findIndex((l) => l.includes('faultline listening')) + 1).filter((l) => !/^\s/.test(l));
    const requestLines = after.filter((l) => / INFO: (GET|PUT) /.test(l));
    expect(requestLines).toHaveLength(2);
    expect(requestLines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/status\/200 200 \d+ms$/);
    expect(requestLines[1]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: PUT \/upload\/a 507 \d+ms uploads-507$/);
    // Nothing else about these two requests at info: no field block, no separate fault line.
    const tail = p.text().slice(p.text().indexOf(requestLines[0] as string));
    expect(tail).not.toMatch(/reqId|fault injected|bytesOut/);
  });

  it('show the details at --log-level debug', async () => {
    const p = await servePretty(['--log-format', 'pretty', '--access-log', '--log-level', 'debug']);
    expect((await request(`http://127.0.0.1:${p.port}/upload/b`, { method: 'PUT', body: 'x' })).status).toBe(507);
    await p.waitFor(/DEBUG: request details\n(\s+.*\n)*?\s+bytesOut: \d+/);
    expect(p.text()).toMatch(/INFO: PUT \/upload\/b 507 \d+ms uploads-507\n/);
    expect(p.text()).toMatch(/DEBUG: fault injected\n(\s+.*\n)*?\s+rule: "uploads-507"/);
  });
});
