import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type Running } from '../helpers/faultline.js';
import {
  clientStream,
  frame,
  grpcClient,
  grpcOverHttp1Upstream,
  serverStream,
  unary,
  type GrpcUpstream,
} from '../helpers/grpc-calls.js';
import { GRPC_CODES } from '../../src/http/dialects/grpc.js';

/*
 * gRPC faults over real sockets: faultline's h2c listener in front of an upstream speaking gRPC's
 * framing, a real gRPC client (@grpc/grpc-js) and Node's http2 client reading the frames.
 */

const codeRules = GRPC_CODES.flatMap((name, n) => [
  `  - name: by-name-${n}\n    match: { grpc: { service: byname.Codes, method: ${name} } }\n    fault: { grpc: { status: ${name}, message: "as ${name}" } }`,
  `  - name: by-number-${n}\n    match: { grpc: { service: bynumber.Codes, method: M${n} } }\n    fault: { grpc: ${n} }`,
]).join('\n');

const SCENARIO = `
version: 1
headerFaults: true
rules:
  - name: exhausted
    match: { grpc: { service: test.Files, method: Get } }
    fault: { grpc: { status: RESOURCE_EXHAUSTED, message: "quota exceeded" } }
  - name: encoded
    match: { grpc: { service: test.Files, method: Odd } }
    fault: { grpc: { status: UNAVAILABLE, message: "100% gone: naïve ☃\\nline two", details: "CA4SBXF1b3Rh" } }
  - name: slow
    match: { grpc: { service: test.Files, method: Slow } }
    fault: { delay: 300ms, grpc: { status: DEADLINE_EXCEEDED } }
  - name: replaced
    match: { grpc: { service: test.Files, method: Put } }
    fault: { replaceStatus: { grpc: UNAVAILABLE, message: "stored, but the client saw an error" } }
  - name: upload-bytes
    match: { grpc: { service: test.Store, method: Upload } }
    when: { quota: { key: global, measure: bytes, limit: 1KiB } }
    fault: { status: 507 }
  - name: quota
    match: { grpc: { service: test.Uploads } }
    when: { quota: { key: global, measure: requests, limit: 2 } }
    fault: { status: 507 }
${codeRules}
`;

let up: GrpcUpstream;
let proxy: Running;
let address: string;

beforeAll(async () => {
  up = await grpcOverHttp1Upstream();
  proxy = await startProxy(up.url, { scenario: SCENARIO });
  address = `127.0.0.1:${proxy.port}`;
});

afterAll(async () => {
  await proxy?.close();
  await up?.close();
});

interface H2Answer {
  headers: http2.IncomingHttpHeaders;
  /** The response HEADERS frame carried END_STREAM: a Trailers-Only response. */
  endStream: boolean;
  data: number;
  trailers: http2.IncomingHttpHeaders | null;
}

function h2Call(path: string, contentType: string, extra: http2.OutgoingHttpHeaders = {}): Promise<H2Answer> {
  const session = http2.connect(proxy.url);
  return new Promise<H2Answer>((resolve, reject) => {
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': path, 'content-type': contentType, te: 'trailers', ...extra });
    let answer: H2Answer | null = null;
    req.on('response', (headers, flags) => {
      answer = { headers, endStream: (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0, data: 0, trailers: null };
    });
    req.on('data', (c: Buffer) => answer !== null && (answer.data += c.length));
    req.on('trailers', (t) => answer !== null && (answer.trailers = t));
    req.on('error', reject);
    req.on('close', () => {
      session.close();
      if (answer === null) reject(new Error('no response'));
      else resolve(answer);
    });
    req.end(frame(Buffer.from('hello')));
  });
}

describe('a grpc fault answers as a gRPC server does', () => {
  it('is HTTP 200 and a Trailers-Only response: one HEADERS frame with END_STREAM, no DATA, no trailers', async () => {
    const a = await h2Call('/test.Files/Get', 'application/grpc+proto');
    expect(a.headers[':status']).toBe(200);
    expect(a.endStream).toBe(true);
    expect(a.data).toBe(0);
    expect(a.trailers).toBeNull();
    // The request's own gRPC content type comes back, as a gRPC server answers.
    expect(a.headers['content-type']).toBe('application/grpc+proto');
    expect(a.headers['grpc-status']).toBe('8');
    expect(a.headers['grpc-message']).toBe('quota exceeded');
    expect(a.headers['content-length']).toBeUndefined();
    expect(up.calls).not.toContain('/test.Files/Get');
  });

  it('percent-encodes grpc-message as the spec says and sends the details as given', async () => {
    const a = await h2Call('/test.Files/Odd', 'application/grpc');
    expect(a.headers['content-type']).toBe('application/grpc');
    expect(a.headers['grpc-status']).toBe('14');
    expect(a.headers['grpc-message']).toBe('100%25 gone: na%C3%AFve %E2%98%83%0Aline two');
    expect(a.headers['grpc-status-details-bin']).toBe('CA4SBXF1b3Rh');
  });

  it('gives a grpc-js client RESOURCE_EXHAUSTED with the message', async () => {
    const client = grpcClient(address, 'test.Files', ['Get', 'Odd']);
    try {
      const { error } = await unary(client, 'Get', Buffer.from('x'));
      expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(error?.code).toBe(8);
      expect(error?.details).toBe('quota exceeded');
      // grpc-js decodes the percent-encoding back to the message written in the scenario.
      const odd = await unary(client, 'Odd', Buffer.from('x'));
      expect(odd.error?.code).toBe(grpc.status.UNAVAILABLE);
      expect(odd.error?.details).toBe('100% gone: naïve ☃\nline two');
      expect(odd.error?.metadata.get('grpc-status-details-bin')).toEqual([Buffer.from('CA4SBXF1b3Rh', 'base64')]);
    } finally {
      client.close();
    }
  });

  it('maps every status name and number to its code', async () => {
    const byName = grpcClient(address, 'byname.Codes', GRPC_CODES.slice(1), ['OK']);
    const byNumber = grpcClient(
      address,
      'bynumber.Codes',
      GRPC_CODES.slice(1).map((_, i) => `M${i + 1}`),
      ['M0'],
    );
    try {
      for (let n = 1; n < GRPC_CODES.length; n++) {
        const named = await unary(byName, GRPC_CODES[n]!, Buffer.from('x'));
        expect([GRPC_CODES[n], named.error?.code, named.error?.details]).toEqual([GRPC_CODES[n], n, `as ${GRPC_CODES[n]}`]);
        const numbered = await unary(byNumber, `M${n}`, Buffer.from('x'));
        expect([n, numbered.error?.code]).toEqual([n, n]);
      }
      // OK ends a (server-streaming) call normally, with no message and no error.
      for (const [client, method] of [
        [byName, 'OK'],
        [byNumber, 'M0'],
      ] as const) {
        const ok = await serverStream(client, method, Buffer.from('x'));
        expect(ok.error).toBeNull();
        expect(ok.messages).toEqual([]);
        expect(ok.status?.code).toBe(grpc.status.OK);
      }
    } finally {
      byName.close();
      byNumber.close();
    }
  });

  it('combines with delay: the status comes after the wait', async () => {
    const client = grpcClient(address, 'test.Files', ['Slow']);
    try {
      const started = performance.now();
      const { error } = await unary(client, 'Slow', Buffer.from('x'));
      expect(error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      client.close();
    }
  });
});

describe('replaceStatus with a gRPC status', () => {
  it('lets the upstream do the work, then gives the client that status', async () => {
    const client = grpcClient(address, 'test.Files', ['Put']);
    try {
      const before = up.calls.filter((c) => c === '/test.Files/Put').length;
      const { error, response } = await unary(client, 'Put', Buffer.from('3'));
      expect(response).toBeNull();
      expect(error?.code).toBe(grpc.status.UNAVAILABLE);
      expect(error?.details).toBe('stored, but the client saw an error');
      expect(up.calls.filter((c) => c === '/test.Files/Put').length).toBe(before + 1);
    } finally {
      client.close();
    }
  });
});

describe('a quota on gRPC calls', () => {
  it('answers RESOURCE_EXHAUSTED (gRPC’s 507) with the quota’s message once it is used', async () => {
    const client = grpcClient(address, 'test.Uploads', ['Send']);
    try {
      for (let i = 0; i < 2; i++) {
        const ok = await unary(client, 'Send', Buffer.from('1'));
        expect(ok.error).toBeNull();
        expect(ok.response?.toString()).toBe('message-0');
      }
      const refused = await unary(client, 'Send', Buffer.from('1'));
      expect(refused.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(refused.error?.details).toMatch(/^quota exceeded for global=.*: 2 of 2 requests used/);
      expect(up.calls.filter((c) => c === '/test.Uploads/Send')).toHaveLength(2);
    } finally {
      client.close();
    }
  });

  it('on the bytes of a client-streaming upload: RESOURCE_EXHAUSTED once the uploads outgrow it', async () => {
    const client = grpcClient(address, 'test.Store', [], [], ['Upload']);
    try {
      const part = Buffer.alloc(95, 7); // 100 bytes on the wire with its prefix
      const first = await clientStream(
        client,
        'Upload',
        Array.from({ length: 6 }, () => part),
      );
      expect(first.error).toBeNull();
      const second = await clientStream(
        client,
        'Upload',
        Array.from({ length: 6 }, () => part),
      );
      expect(second.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(second.error?.details).toMatch(/^quota exceeded for global=.*: 600 of 1024 bytes used/);
      // The upstream got the first upload whole; the second was abandoned at the limit, never completed.
      expect(up.calls.filter((c) => c === '/test.Store/Upload')).toHaveLength(1);
    } finally {
      client.close();
    }
  });

  it('still answers an HTTP 507 to a request that is not gRPC', async () => {
    const a = await h2Call('/test.Uploads/Send', 'application/json');
    expect(a.headers[':status']).toBe(507);
    expect(a.headers['grpc-status']).toBeUndefined();
  });
});

describe("Envoy's x-envoy-fault-abort-grpc-request", () => {
  it('answers the gRPC status it names, with Envoy’s message', async () => {
    const client = grpcClient(address, 'envoy.Svc', ['Call']);
    try {
      const md = new grpc.Metadata();
      md.set('x-envoy-fault-abort-grpc-request', '14');
      const { error } = await unary(client, 'Call', Buffer.from('x'), md);
      expect(error?.code).toBe(grpc.status.UNAVAILABLE);
      expect(error?.details).toBe('fault filter abort');
      expect(up.calls).not.toContain('/envoy.Svc/Call');
    } finally {
      client.close();
    }
  });

  it('gives way to a valid HTTP abort, which a gRPC request gets as the status it maps to', async () => {
    const a = await h2Call('/envoy.Svc/Call', 'application/grpc', {
      'x-envoy-fault-abort-request': '503',
      'x-envoy-fault-abort-grpc-request': '8',
    });
    expect([a.headers[':status'], a.headers['grpc-status'], a.endStream]).toEqual([200, '14', true]);
    const notFound = await h2Call('/envoy.Svc/Call', 'application/grpc', { 'x-envoy-fault-abort-request': '404' });
    expect(notFound.headers['grpc-status']).toBe('12');
  });

  it('honours the abort percentage, and is no fault when the value is not a number', async () => {
    const zero = await h2Call('/envoy.Svc/Call', 'application/grpc', {
      'x-envoy-fault-abort-grpc-request': '8',
      'x-envoy-fault-abort-request-percentage': '0',
    });
    expect(zero.headers['grpc-status']).toBeUndefined();
    expect(zero.trailers?.['grpc-status']).toBe('0');
    const junk = await h2Call('/envoy.Svc/Call', 'application/grpc', { 'x-envoy-fault-abort-grpc-request': 'eight' });
    expect(junk.trailers?.['grpc-status']).toBe('0');
  });

  it('answers a request that is not gRPC as Envoy does: HTTP 200 and its text', async () => {
    const res = await fetch(`${proxy.url}/plain`, { headers: { 'x-envoy-fault-abort-grpc-request': '8' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('fault filter abort');
  });
});
