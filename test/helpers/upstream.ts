import http from 'node:http';
import { createDemoUpstream } from '../../src/demo/upstream.js';
import { closeServer, listenOn } from './http.js';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  at: number;
  /** Set when the request body ended normally; null while in flight or when it was aborted. */
  completedAt: number | null;
  aborted: boolean;
}

/** The demo upstream, recording every request it receives (and whether its body completed). */
export async function countingUpstream(): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const demo = createDemoUpstream();
  const seen: SeenRequest[] = [];
  const server = http.createServer({ requestTimeout: 0 }, (req, res) => {
    const entry: SeenRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      at: Date.now(),
      completedAt: null,
      aborted: false,
    };
    seen.push(entry);
    req.on('end', () => (entry.completedAt = Date.now()));
    req.on('aborted', () => (entry.aborted = true));
    req.on('close', () => {
      if (entry.completedAt === null) entry.aborted = true;
    });
    demo.emit('request', req, res);
  });
  const port = await listenOn(server);
  return { url: `http://127.0.0.1:${port}`, seen, close: () => closeServer(server) };
}
