import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type http from 'node:http';
import { pino } from 'pino';
import { loadSettings, type RawValue } from '../../src/config/load.js';
import { startFaultline, type Faultline, type StartOptions } from '../../src/app/faultline.js';
import { createDemoUpstream } from '../../src/demo/upstream.js';
import { closeServer, listenOn } from './http.js';

export interface Running {
  app: Faultline;
  url: string;
  port: number;
  admin: string;
  logs: Record<string, unknown>[];
  scenarioFile: string | null;
  close(): Promise<void>;
}

/** Write a scenario YAML to a fresh temp dir; returns its path. */
export function scenarioFile(yaml: string, name = 'test.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-test-'));
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

/** Start faultline in this process on 127.0.0.1:0 with a log sink the test can read back. */
export async function startProxy(
  upstream: string,
  options: { scenario?: string; flags?: Record<string, RawValue> } & Partial<StartOptions> = {},
): Promise<Running> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const file = options.scenario === undefined ? null : scenarioFile(options.scenario);
  const flags = new Map<string, RawValue>([
    ['upstream', upstream],
    ['listen', '127.0.0.1:0'],
    ['admin', '127.0.0.1:0'],
    ['shutdownGrace', '2s'],
  ]);
  if (file !== null) flags.set('scenarios', [file]);
  for (const [k, v] of Object.entries(options.flags ?? {})) flags.set(k, v);
  const settings = loadSettings({ flags, env: {}, configFile: null });
  const log = pino({ level: 'debug' }, sink);
  const app = await startFaultline(settings, {
    log,
    watch: options.watch ?? false,
    ...(options.now ? { now: options.now } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  return {
    app,
    url: `http://127.0.0.1:${app.proxyAddress.port}`,
    port: app.proxyAddress.port,
    admin: `http://127.0.0.1:${app.adminAddress.port}`,
    logs,
    scenarioFile: file,
    close: () => app.close(500),
  };
}

/** The built-in demo upstream on 127.0.0.1:0. */
export async function startDemoUpstream(): Promise<{ server: http.Server; url: string; port: number; close(): Promise<void> }> {
  const server = createDemoUpstream();
  const port = await listenOn(server);
  return { server, url: `http://127.0.0.1:${port}`, port, close: () => closeServer(server) };
}
