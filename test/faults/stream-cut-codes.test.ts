import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type Running } from '../helpers/faultline.js';
import { frame, grpcClient, grpcOverHttp1Upstream, serverStream, type GrpcUpstream } from '../helpers/grpc-calls.js';
import { h2Connect, h2Send } from '../helpers/h2.js';
import { closeServer, listenOn } from '../helpers/http.js';

/*
 * The two designs of the cut faults together: a cut point counted in gRPC messages or Server-Sent
 * Events (cut-counter.ts), ended the HTTP/2 way the rule asks for — RST_STREAM with its error
 * code, or GOAWAY for the whole connection. Over h2c with Node's http2 client (which shows the
 * frames) and grpc-js (what a gRPC caller is told); HTTP/1.1 keeps its TCP reset.
 */

const SCENARIO = `
version: 1
rules:
  - name: sse-cancel
    match: { path: /events/cancel }
    fault: { reset: { afterEvents: 2, code: CANCEL } }
  - name: sse-goaway
    match: { path: /events/goaway }
    fault: { reset: { afterEvents: 2, connection: true } }
  - name: sse-truncate-calm
    match: { path: /events/calm }
    fault: { truncate: { afterEvents: 2, code: ENHANCE_YOUR_CALM } }
  - name: hang
    match: { path: /hang/** }
    fault: { hang: true }
  - name: grpc-cancel
    match: { grpc: { service: feed.Stream, method: Cancel } }
    fault: { reset: { afterMessages: 2, code: CANCEL } }
  - name: grpc-refused
    match: { grpc: { service: feed.Stream, method: Refused } }
    fault: { truncate: { afterMessages: 2, code: REFUSED_STREAM } }
  - name: grpc-calm
    match: { grpc: { service: feed.Stream, method: Calm } }
    fault: { reset: { afterMessages: 2, code: enhance_your_calm } }
`;

const CANCEL = http2.constants.NGHTTP2_CANCEL;
const INTERNAL_ERROR = http2.constants.NGHTTP2_INTERNAL_ERROR;
const ENHANCE_YOUR_CALM = http2.constants.NGHTTP2_ENHANCE_YOUR_CALM;
const REFUSED_STREAM = http2.constants.NGHTTP2_REFUSED_STREAM;

/** Six events, LF line ends, a keep-alive comment before each; written 3 bytes at a time. */
const EVENTS = Array.from({ length: 6 }, (_, i) => `: ping\n\nid: ${i}\ndata: event ${i}\n\n`);
const FIRST_TWO = EVENTS.slice(0, 2).join('');

let sse: http.Server;
let grpcUp: GrpcUpstream;
let sseProxy: Running;
let grpcProxy: Running;

beforeAll(async () => {
  sse = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const bytes = Buffer.from(EVENTS.join(''));
    let at = 0;
    const next = (): void => {
      if (res.destroyed) return;
      if (at >= bytes.length) {
        res.end();
        return;
      }
      res.write(bytes.subarray(at, at + 3));
      at += 3;
      setImmediate(next);
    };
    next();
  });
  const ssePort = await listenOn(sse);
  grpcUp = await grpcOverHttp1Upstream();
  sseProxy = await startProxy(`http://127.0.0.1:${ssePort}`, { scenario: SCENARIO });
  grpcProxy = await startProxy(grpcUp.url, { scenario: SCENARIO });
});

afterAll(async () => {
  await sseProxy?.close();
  await grpcProxy?.close();
  await grpcUp?.close();
  if (sse !== undefined) await closeServer(sse);
});

describe('Server-Sent Events over h2c: a cut point with an HTTP/2 ending', () => {
  it('reset: { afterEvents: 2, code: CANCEL } gives exactly two events, then RST_STREAM CANCEL; the connection goes on', async () => {
    const session = h2Connect(sseProxy.port, false);
    try {
      const got = await h2Send(session, '/events/cancel');
      expect(got.status).toBe(200);
      expect(got.body.toString()).toBe(FIRST_TWO);
      expect(got.rstCode).toBe(CANCEL);
      // The control, on the same connection: the whole stream, ended cleanly.
      const whole = await h2Send(session, '/events/all');
      expect([whole.rstCode, whole.ended, whole.body.toString()]).toEqual([0, true, EVENTS.join('')]);
    } finally {
      session.close();
    }
  });

  it('truncate: { afterEvents: 2, code: ENHANCE_YOUR_CALM } ends the stream with that code instead of END_STREAM', async () => {
    const session = h2Connect(sseProxy.port, false);
    try {
      const got = await h2Send(session, '/events/calm');
      expect([got.status, got.ended, got.rstCode]).toEqual([200, false, ENHANCE_YOUR_CALM]);
      expect(got.body.toString()).toBe(FIRST_TWO);
    } finally {
      session.close();
    }
  });

  it('reset: { afterEvents: 2, connection: true } gives two events, then GOAWAY: every stream on the connection ends', async () => {
    const session = h2Connect(sseProxy.port, false);
    const goaway = new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)));
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    const hanging = h2Send(session, '/hang/x');
    // The hanging stream has reached the proxy before the one that brings the connection down.
    expect((await h2Send(session, '/events/all')).rstCode).toBe(0);
    const got = await h2Send(session, '/events/goaway');
    expect(got.status).toBe(200);
    expect(got.body.toString()).toBe(FIRST_TWO);
    expect(got.ended).toBe(false);
    expect(await goaway).toBe(INTERNAL_ERROR);
    expect(got.rstCode).toBe(INTERNAL_ERROR);
    expect((await hanging).rstCode).toBe(INTERNAL_ERROR);
    await closed;
  });

  it('over HTTP/1.1 the same rules reset the TCP connection after at most two events (no codes there)', async () => {
    for (const path of ['/events/cancel', '/events/goaway']) {
      const got = await new Promise<{ text: string; error: string | null }>((resolve) => {
        const socket = net.connect(sseProxy.port, '127.0.0.1');
        let text = '';
        socket.setEncoding('latin1');
        socket.on('data', (c: string) => (text += c));
        socket.on('error', (e: NodeJS.ErrnoException) => resolve({ text, error: e.code ?? e.message }));
        socket.on('end', () => resolve({ text, error: null }));
        socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      });
      expect(got.error).toBe('ECONNRESET');
      // A TCP RST may overtake bytes not yet read: the head and at most the two events, nothing more.
      const body = got.text.slice(got.text.indexOf('\r\n\r\n') + 4);
      expect(got.text.startsWith('HTTP/1.1 200')).toBe(true);
      expect(body).not.toContain('event 2');
    }
  });
});

describe('gRPC server streams over h2c: a cut point with an HTTP/2 ending', () => {
  const six = frame(Buffer.from('6'));
  const grpcHeaders = { ':method': 'POST', 'content-type': 'application/grpc', te: 'trailers' };

  it('reset: { afterMessages: 2, code: CANCEL }: exactly two whole messages on the wire, then RST_STREAM CANCEL', async () => {
    const session = h2Connect(grpcProxy.port, false);
    try {
      const got = await h2Send(session, '/feed.Stream/Cancel', { headers: grpcHeaders, body: six });
      expect(got.status).toBe(200);
      expect(got.body.equals(Buffer.concat([frame(Buffer.from('message-0')), frame(Buffer.from('message-1'))]))).toBe(true);
      expect(got.rstCode).toBe(CANCEL);
    } finally {
      session.close();
    }
  });

  it('grpc-js reads the code after two messages: CANCEL is CANCELLED, REFUSED_STREAM UNAVAILABLE, ENHANCE_YOUR_CALM RESOURCE_EXHAUSTED', async () => {
    const client = grpcClient(`127.0.0.1:${grpcProxy.port}`, 'feed.Stream', [], ['Cancel', 'Refused', 'Calm', 'All']);
    try {
      const control = await serverStream(client, 'All', Buffer.from('6'));
      expect([control.error, control.messages.length]).toEqual([null, 6]);
      for (const [method, status] of [
        ['Cancel', grpc.status.CANCELLED],
        ['Refused', grpc.status.UNAVAILABLE],
        ['Calm', grpc.status.RESOURCE_EXHAUSTED],
      ] as const) {
        const r = await serverStream(client, method, Buffer.from('6'));
        expect(r.messages.map(String)).toEqual(['message-0', 'message-1']);
        expect(r.error?.code).toBe(status);
      }
    } finally {
      client.close();
    }
  });

  it('REFUSED_STREAM after two messages is on the wire as such', async () => {
    const session = h2Connect(grpcProxy.port, false);
    try {
      const got = await h2Send(session, '/feed.Stream/Refused', { headers: grpcHeaders, body: six });
      expect([got.status, got.ended, got.rstCode]).toEqual([200, false, REFUSED_STREAM]);
    } finally {
      session.close();
    }
  });
});
