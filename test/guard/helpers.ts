import http from 'node:http';
import { closeServer, listenOn } from '../helpers/http.js';

/** An upstream that answers 200 until told otherwise: `fail(status)` makes it answer that status, `slow(ms)` delays answers. */
export async function switchableUpstream(): Promise<{
  url: string;
  seen: () => number;
  fail(status: number | null): void;
  slow(ms: number): void;
  close(): Promise<void>;
}> {
  let failing: number | null = null;
  let delay = 0;
  let seen = 0;
  const server = http.createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
    seen++;
    req.resume();
    const answer = (): void => {
      const status = failing ?? 200;
      const body = status === 200 ? 'ok' : 'upstream broke';
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': body.length });
      res.end(body);
    };
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  });
  const port = await listenOn(server);
  return {
    url: `http://127.0.0.1:${port}`,
    seen: () => seen,
    fail: (status) => (failing = status),
    slow: (ms) => (delay = ms),
    close: () => closeServer(server),
  };
}

export interface Answer {
  status: number;
  /** The x-faultline-fault marker: the rule that injected the answer, or undefined. */
  marker: string | undefined;
  /** When the request was sent and when its answer was complete (Date.now()). */
  sentAt: number;
  doneAt: number;
}

/** A keep-alive client: requests reuse a few connections, so thousands finish in seconds. */
export function keepAliveClient(base: string, sockets = 4): { get(path: string, id?: string): Promise<Answer>; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  return {
    get(path, id) {
      const sentAt = Date.now();
      return new Promise((resolve, reject) => {
        const headers: Record<string, string> = id === undefined ? {} : { 'x-request-id': id };
        const req = http.get(base + path, { agent, headers }, (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              marker: res.headers['x-faultline-fault'] as string | undefined,
              sentAt,
              doneAt: Date.now(),
            }),
          );
          res.on('error', reject);
        });
        req.on('error', reject);
        req.setTimeout(5000, () => req.destroy(new Error('client timeout')));
      });
    },
    close: () => agent.destroy(),
  };
}

/** `n` GETs of `path` (or of `path(i)`), `parallel` at a time, answers in the order sent. */
export async function many(
  client: ReturnType<typeof keepAliveClient>,
  path: string | ((i: number) => string),
  n: number,
  parallel = 4,
): Promise<Answer[]> {
  const answers: Answer[] = new Array<Answer>(n);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      answers[i] = await client.get(typeof path === 'string' ? path : path(i), `r${i}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, worker));
  return answers;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
