import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoUpstream, startProxy, type Running } from '../helpers/faultline.js';
import { grpcClient, grpcOverHttp1Upstream, serverStream, type GrpcUpstream } from '../helpers/grpc-calls.js';
import { closeServer, listenOn } from '../helpers/http.js';
import { CURL, requires } from '../helpers/requires.js';

/*
 * Long responses cut after N messages or events, as clients with resume logic meet them: a
 * Server-Sent Events stream cut after its Nth event (undici's fetch, curl, Node's http2 client)
 * and a gRPC server stream cut after its Nth message (grpc-js). The upstream writes in pieces
 * that split events and message prefixes, so the counting crosses chunk boundaries.
 */

const hasCurl = requires(CURL, 'test/faults/stream-cuts.test.ts');

const SCENARIO = `
version: 1
rules:
  - name: sse-truncated
    match: { path: /events/truncated }
    fault: { truncate: { afterEvents: 3 } }
  - name: sse-reset
    match: { path: /events/reset }
    fault: { reset: { afterEvents: 3 } }
  - name: grpc-truncated
    match: { grpc: { service: feed.Stream, method: Cut } }
    fault: { truncate: { afterMessages: 3 } }
  - name: grpc-reset
    match: { grpc: { service: feed.Stream, method: Reset } }
    fault: { reset: { afterMessages: 3 } }
`;

/** Ten events with CRLF line ends and keep-alive comments between them, written 5 bytes at a time. */
const EVENTS = Array.from(
  { length: 10 },
  (_, i) => `: keep-alive\r\n\r\nid: ${i}\r\nevent: tick\r\ndata: event ${i}\r\ndata: more\r\n\r\n`,
);
const STREAM = EVENTS.join('');

/** The events a client-side parser dispatches from `text` (blocks with a data line). */
function eventsIn(text: string): string[] {
  return text
    .split(/\r\n\r\n|\n\n|\r\r/)
    .filter((block) => block.split(/\r\n|\n|\r/).some((line) => line === 'data' || line.startsWith('data:')))
    .map((block) => /data: (event \d+)/.exec(block)?.[1] ?? '');
}

let sse: http.Server;
let sseUrl: string;
let grpcUp: GrpcUpstream;
let sseProxy: Running;
let grpcProxy: Running;

beforeAll(async () => {
  sse = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    const bytes = Buffer.from(STREAM);
    let at = 0;
    const next = (): void => {
      if (res.destroyed) return;
      if (at >= bytes.length) {
        res.end();
        return;
      }
      res.write(bytes.subarray(at, at + 5));
      at += 5;
      setImmediate(next);
    };
    next();
  });
  sseUrl = `http://127.0.0.1:${await listenOn(sse)}`;
  grpcUp = await grpcOverHttp1Upstream();
  sseProxy = await startProxy(sseUrl, { scenario: SCENARIO });
  grpcProxy = await startProxy(grpcUp.url, { scenario: SCENARIO });
});

afterAll(async () => {
  await sseProxy?.close();
  await grpcProxy?.close();
  await grpcUp?.close();
  if (sse !== undefined) await closeServer(sse);
});

/** What undici's fetch gets: the text read before the body failed (or ended), and the failure. */
async function fetchText(url: string): Promise<{ text: string; error: unknown }> {
  const res = await fetch(url);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (let i = 0; i < 10_000; i++) {
    try {
      const { done, value } = await reader.read();
      if (done) return { text, error: null };
      text += decoder.decode(value, { stream: true });
    } catch (error) {
      return { text, error };
    }
  }
  throw new Error('the stream did not end');
}

function curl(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sN', '--max-time', '10', ...args], { encoding: 'utf8' }, (err, stdout) =>
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout }),
    );
  });
}

describe('Server-Sent Events cut after N events', () => {
  const firstThree = EVENTS.slice(0, 3).join('');

  it('the upstream stream passes whole without a rule (the control)', async () => {
    const { text, error } = await fetchText(`${sseProxy.url}/events/all`);
    expect(error).toBeNull();
    expect(eventsIn(text)).toHaveLength(10);
  });

  it('truncate: fetch gets exactly three whole events, then a failed body', async () => {
    const { text, error } = await fetchText(`${sseProxy.url}/events/truncated`);
    expect(error).toBeInstanceOf(TypeError);
    expect(text).toBe(firstThree);
    expect(eventsIn(text)).toEqual(['event 0', 'event 1', 'event 2']);
  });

  // A TCP RST may overtake bytes the client's kernel had not handed over yet (the receiving side
  // drops them): a reset client holds at most the three events, never a byte of the fourth.
  it('reset: fetch gets at most three events and no part of the fourth, then the connection is reset', async () => {
    const { text, error } = await fetchText(`${sseProxy.url}/events/reset`);
    expect(error).toBeInstanceOf(TypeError);
    expect(firstThree.startsWith(text)).toBe(true);
  });

  it.skipIf(!hasCurl)('curl sees the cut after exactly three events (exit 18), or the reset (exit 56)', async () => {
    const cut = await curl([`${sseProxy.url}/events/truncated`]);
    expect([cut.code, cut.stdout]).toEqual([18, firstThree]);
    const reset = await curl([`${sseProxy.url}/events/reset`]);
    expect(reset.code).toBe(56);
    expect(firstThree.startsWith(reset.stdout)).toBe(true);
  });

  // curl 7.88 (nghttp2 1.52) sometimes drops DATA it had received but not yet written out when the
  // RST_STREAM arrives (about one run in six here; Node's client below, reading the same frames,
  // gets every byte every time): so curl is held to the exit code and to no byte beyond the cut.
  it.skipIf(!hasCurl)('over h2c the stream ends with RST_STREAM after three events (curl exit 92)', async () => {
    const cut = await curl(['--http2-prior-knowledge', `${sseProxy.url}/events/truncated`]);
    expect(cut.code).toBe(92);
    expect(firstThree.startsWith(cut.stdout)).toBe(true);
  });

  it("over h2c Node's http2 client gets three events and a stream error", async () => {
    const session = http2.connect(sseProxy.url);
    try {
      const got = await new Promise<{ text: string; code: number }>((resolve) => {
        const req = session.request({ ':path': '/events/truncated' });
        let text = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (text += c));
        req.on('error', () => {});
        req.on('close', () => resolve({ text, code: req.rstCode }));
        req.end();
      });
      expect(got.text).toBe(firstThree);
      expect(got.code).toBe(http2.constants.NGHTTP2_INTERNAL_ERROR);
    } finally {
      session.close();
    }
  });
});

describe('scenarios/grpc.yaml against the demo', () => {
  it("cuts the demo's /events/10 after its third event, as the docs say", async () => {
    const demo = await startDemoUpstream();
    const yaml = readFileSync(new URL('../../scenarios/grpc.yaml', import.meta.url), 'utf8');
    const proxy = await startProxy(demo.url, { scenario: yaml });
    try {
      const whole = await fetchText(`${demo.url}/events/10`);
      expect([whole.error, eventsIn(whole.text)]).toEqual([null, Array.from({ length: 10 }, (_, i) => `event ${i}`)]);
      const { text, error } = await fetchText(`${proxy.url}/events/10`);
      expect(error).toBeInstanceOf(TypeError);
      expect(text).toBe('id: 0\ndata: event 0\n\nid: 1\ndata: event 1\n\nid: 2\ndata: event 2\n\n');
    } finally {
      await proxy.close();
      await demo.close();
    }
  });
});

describe('gRPC server streaming cut after N messages', () => {
  const ten = Buffer.from('10');

  it('passes whole without a rule (the control)', async () => {
    const client = grpcClient(`127.0.0.1:${grpcProxy.port}`, 'feed.Stream', [], ['All']);
    try {
      const r = await serverStream(client, 'All', ten);
      expect(r.error).toBeNull();
      expect(r.status?.code).toBe(grpc.status.OK);
      expect(r.messages.map(String)).toEqual(Array.from({ length: 10 }, (_, i) => `message-${i}`));
    } finally {
      client.close();
    }
  });

  for (const method of ['Cut', 'Reset']) {
    it(`${method === 'Cut' ? 'truncate' : 'reset'}: the client gets exactly three messages, then an error`, async () => {
      const client = grpcClient(`127.0.0.1:${grpcProxy.port}`, 'feed.Stream', [], [method]);
      try {
        const r = await serverStream(client, method, ten);
        expect(r.messages.map(String)).toEqual(['message-0', 'message-1', 'message-2']);
        expect(r.error).not.toBeNull();
        expect(r.error?.code).toBe(grpc.status.INTERNAL);
        expect(r.error?.details).toMatch(/RST_STREAM/);
      } finally {
        client.close();
      }
    });
  }

  it('a stream of fewer messages passes whole', async () => {
    const client = grpcClient(`127.0.0.1:${grpcProxy.port}`, 'feed.Stream', [], ['Cut']);
    try {
      const r = await serverStream(client, 'Cut', Buffer.from('2'));
      expect(r.error).toBeNull();
      expect(r.messages.map(String)).toEqual(['message-0', 'message-1']);
    } finally {
      client.close();
    }
  });
});
