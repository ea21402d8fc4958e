import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { closeServer, listenOn } from './http.js';

export interface RedisServer {
  port: number;
  url: string;
  process: ChildProcess;
  /** Kill it (SIGKILL, like a crash); `start()` brings it back on the same port. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A free loopback port (never Redis's default 6379). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  const port = await listenOn(s);
  await closeServer(s);
  return port;
}

function waitForPort(port: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port}`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

/** Start a throwaway redis-server (no persistence) on a free loopback port. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    process: null as unknown as ChildProcess,
    async start() {
      server.process = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      await waitForPort(port);
    },
    async kill() {
      const exited = new Promise((r) => server.process.once('exit', r));
      server.process.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (server.process.exitCode !== null || server.process.signalCode !== null) return;
      const exited = new Promise((r) => server.process.once('exit', r));
      server.process.kill('SIGTERM');
      await exited;
    },
  };
  await server.start();
  return server;
}
