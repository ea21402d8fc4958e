import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { makeSelfSigned } from '../../src/net/self-signed.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy } from '../helpers/faultline.js';

/*
 * gRPC through faultline, byte-exact: a real @grpc/grpc-js server behind `--upstream h2c://`, a
 * real @grpc/grpc-js client on faultline's listener (h2c, and h2 over TLS with the certificate
 * pinned as the root). Every call is made once straight to the server and once through faultline,
 * and the two must agree: message bytes, response metadata, status, message and trailing metadata,
 * and the metadata the server saw (faultline's documented additions aside).
 *
 * The service is defined without .proto files: methods on raw Buffers (identity serialisation).
 */

const cleanups = cleanupAfterEach();

const raw = { serialize: (b: Buffer): Buffer => b, deserialize: (b: Buffer): Buffer => b };
const SERVICE = {
  echo: {
    path: '/faultline.test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: raw.serialize,
    requestDeserialize: raw.deserialize,
    responseSerialize: raw.serialize,
    responseDeserialize: raw.deserialize,
  },
  fail: {
    path: '/faultline.test.Echo/Fail',
    requestStream: false,
    responseStream: false,
    requestSerialize: raw.serialize,
    requestDeserialize: raw.deserialize,
    responseSerialize: raw.serialize,
    responseDeserialize: raw.deserialize,
  },
  fanout: {
    path: '/faultline.test.Echo/Fanout',
    requestStream: false,
    responseStream: true,
    requestSerialize: raw.serialize,
    requestDeserialize: raw.deserialize,
    responseSerialize: raw.serialize,
    responseDeserialize: raw.deserialize,
  },
} satisfies grpc.ServiceDefinition;

const EchoClient = grpc.makeGenericClientConstructor(SERVICE, 'Echo');
type Client = InstanceType<typeof EchoClient>;

/** Message i of a fan-out: sizes from 0 bytes to 200 KiB (beyond every flow-control window), all byte values. */
function message(i: number): Buffer {
  const size = [0, 1, 5, 16_384, 65_535, 200 * 1024, 777][i % 7] as number;
  return Buffer.from(Array.from({ length: size }, (_, j) => (j * 131 + i * 17) & 0xff));
}

/** Request metadata as the server saw it, one list per call. */
type SeenMetadata = Record<string, (string | Buffer)[]>;

function metadataOf(md: grpc.Metadata): SeenMetadata {
  const out: SeenMetadata = {};
  for (const [key, values] of Object.entries(md.toJSON())) out[key] = values;
  return out;
}

function md(fields: Record<string, string | Buffer>): grpc.Metadata {
  const m = new grpc.Metadata();
  for (const [k, v] of Object.entries(fields)) m.add(k, v);
  return m;
}

async function grpcServer(): Promise<{ port: number; seen: SeenMetadata[]; cancelled: number[] }> {
  const seen: SeenMetadata[] = [];
  const cancelled: number[] = [];
  const server = new grpc.Server();
  server.addService(SERVICE, {
    echo(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      seen.push(metadataOf(call.metadata));
      call.sendMetadata(md({ 'x-initial': 'first', 'x-initial-bin': Buffer.from([0, 1, 2, 255]) }));
      callback(
        null,
        Buffer.concat([Buffer.from('echo:'), call.request]),
        md({ 'x-trailer': 'last', 'x-trailer-bin': Buffer.from([254, 0, 7]) }),
      );
    },
    fail(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      seen.push(metadataOf(call.metadata));
      callback({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: 'quota exceeded: 5 of 5 GiB (ünïcode)',
        metadata: md({ 'x-why': 'full' }),
      });
    },
    fanout(call: grpc.ServerWritableStream<Buffer, Buffer>) {
      seen.push(metadataOf(call.metadata));
      const count = call.request.readUInt8(0);
      if (count === 0) {
        // A watch that never ends: one message, then silence until the client cancels.
        call.write(message(1));
        call.on('cancelled', () => cancelled.push(Date.now()));
        return;
      }
      for (let i = 0; i < count; i++) call.write(message(i));
      call.end(md({ 'x-sent': String(count) }));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  cleanups.push(async () => server.forceShutdown());
  return { port, seen, cancelled };
}

interface Outcome {
  messages: Buffer[];
  headers: SeenMetadata;
  status: { code: number; details: string; trailers: SeenMetadata };
}

/** Response metadata minus what faultline documents adding (Via, x-request-id) and the clock. */
function comparable(m: SeenMetadata): SeenMetadata {
  const { via: _via, 'x-request-id': _id, date: _date, ...rest } = m;
  return rest;
}

function unary(client: Client, method: 'echo' | 'fail', body: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { messages: [], headers: {}, status: { code: -1, details: '', trailers: {} } };
    const call = client.makeUnaryRequest(
      SERVICE[method].path,
      raw.serialize,
      raw.deserialize,
      body,
      md({ 'x-client': 'vitest', 'x-client-bin': Buffer.from([9, 8, 7]) }),
      (_err, value) => {
        if (value !== undefined) outcome.messages.push(value);
      },
    );
    call.on('metadata', (m: grpc.Metadata) => (outcome.headers = comparable(metadataOf(m))));
    call.on('status', (s: grpc.StatusObject) => {
      outcome.status = { code: s.code, details: s.details, trailers: comparable(metadataOf(s.metadata)) };
      resolve(outcome);
    });
  });
}

function fanout(client: Client, count: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { messages: [], headers: {}, status: { code: -1, details: '', trailers: {} } };
    const call = client.makeServerStreamRequest(SERVICE.fanout.path, raw.serialize, raw.deserialize, Buffer.from([count]));
    call.on('metadata', (m: grpc.Metadata) => (outcome.headers = comparable(metadataOf(m))));
    call.on('data', (m: Buffer) => outcome.messages.push(m));
    call.on('error', () => undefined);
    call.on('status', (s: grpc.StatusObject) => {
      outcome.status = { code: s.code, details: s.details, trailers: comparable(metadataOf(s.metadata)) };
      resolve(outcome);
    });
  });
}

function client(target: string, credentials = grpc.credentials.createInsecure()): Client {
  // The certificate's name for TLS (an IP address as the SNI name is deprecated in Node).
  const c = new EchoClient(target, credentials, { 'grpc.ssl_target_name_override': 'localhost' });
  cleanups.push(async () => c.close());
  return c;
}

/** What faultline adds to a request (docs/configuration.md): everything else reaches the server as sent. */
function withoutForwarding(m: SeenMetadata): SeenMetadata {
  const out = { ...m };
  for (const k of ['via', 'x-request-id', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'])
    Reflect.deleteProperty(out, k);
  return out;
}

describe('gRPC through faultline to an h2c:// upstream', () => {
  for (const tls of [false, true]) {
    it(`unary, trailers-only errors and server streaming pass through byte-exact (${tls ? 'h2 over TLS' : 'h2c'} listener)`, async () => {
      const up = await grpcServer();
      let credentials = grpc.credentials.createInsecure();
      const flags: Record<string, string> = {};
      if (tls) {
        const pair = await makeSelfSigned(['localhost', '127.0.0.1']);
        const dir = mkdtempSync(join(tmpdir(), 'faultline-grpc-'));
        writeFileSync(join(dir, 'tls.crt'), pair.cert);
        writeFileSync(join(dir, 'tls.key'), pair.key);
        flags['tlsCert'] = join(dir, 'tls.crt');
        flags['tlsKey'] = join(dir, 'tls.key');
        // The certificate itself as the only root: the client verifies it, nothing is skipped.
        credentials = grpc.credentials.createSsl(Buffer.from(pair.cert));
      }
      const proxy = await startProxy(`h2c://127.0.0.1:${up.port}`, { flags });
      cleanups.push(() => proxy.close());
      const direct = client(`127.0.0.1:${up.port}`);
      const via = client(`127.0.0.1:${proxy.port}`, credentials);

      const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff));
      const echoDirect = await unary(direct, 'echo', body);
      const echoVia = await unary(via, 'echo', body);
      expect(echoDirect.status.code).toBe(grpc.status.OK);
      expect(echoDirect.messages[0]?.equals(Buffer.concat([Buffer.from('echo:'), body]))).toBe(true);
      expect(echoDirect.headers['x-initial-bin']).toEqual([Buffer.from([0, 1, 2, 255])]);
      expect(echoDirect.status.trailers['x-trailer-bin']).toEqual([Buffer.from([254, 0, 7])]);
      expect(echoVia).toEqual(echoDirect);

      const failDirect = await unary(direct, 'fail', Buffer.alloc(0));
      const failVia = await unary(via, 'fail', Buffer.alloc(0));
      expect(failDirect.status).toMatchObject({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: 'quota exceeded: 5 of 5 GiB (ünïcode)',
      });
      expect(failDirect.status.trailers['x-why']).toEqual(['full']);
      expect(failVia).toEqual(failDirect);

      const streamDirect = await fanout(direct, 21);
      const streamVia = await fanout(via, 21);
      expect(streamDirect.messages).toHaveLength(21);
      expect(streamDirect.messages.every((m, i) => m.equals(message(i)))).toBe(true);
      expect(streamDirect.status.trailers['x-sent']).toEqual(['21']);
      expect(streamVia).toEqual(streamDirect);

      // The server saw the same request metadata both ways, but for faultline's forwarding fields.
      expect(up.seen).toHaveLength(6);
      for (const i of [0, 2, 4]) {
        const [d, v] = [up.seen[i] as SeenMetadata, up.seen[i + 1] as SeenMetadata];
        expect(withoutForwarding(v)).toEqual(d);
        expect(v['via']).toEqual(['1.1 faultline']);
      }
      expect(up.seen[1]?.['x-client-bin']).toEqual([Buffer.from([9, 8, 7])]);
    });
  }

  it('a fault on a gRPC stream acts on the client side; a client that cancels cancels the upstream call once', async () => {
    const up = await grpcServer();
    const proxy = await startProxy(`h2c://127.0.0.1:${up.port}`, {
      scenario: `
version: 1
rules:
  - name: cut-stream
    match: { path: /faultline.test.Echo/Fanout, headers: { x-cut: "yes" } }
    fault: { reset: { afterBytes: 20000 } }
`,
    });
    cleanups.push(() => proxy.close());
    const via = client(`127.0.0.1:${proxy.port}`);
    const cut = await new Promise<{ code: number; details: string; messages: number }>((resolve) => {
      let messages = 0;
      const call = via.makeServerStreamRequest(
        SERVICE.fanout.path,
        raw.serialize,
        raw.deserialize,
        Buffer.from([21]),
        md({ 'x-cut': 'yes' }),
      );
      call.on('data', () => messages++);
      call.on('error', () => undefined);
      call.on('status', (s: grpc.StatusObject) => resolve({ code: s.code, details: s.details, messages }));
    });
    // Messages 0-2 (0 + 1 + 5 bytes) and part of message 3 (16 KiB) fit in 20000 bytes; then RST_STREAM(INTERNAL_ERROR).
    expect(cut).toEqual({
      code: grpc.status.INTERNAL,
      details: 'Received RST_STREAM with code 2 (Internal server error)',
      messages: 4,
    });

    const watch = via.makeServerStreamRequest(SERVICE.fanout.path, raw.serialize, raw.deserialize, Buffer.from([0]));
    watch.on('error', () => undefined);
    await new Promise((resolve) => watch.once('data', resolve));
    watch.cancel();
    for (let i = 0; i < 200 && up.cancelled.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(up.cancelled).toHaveLength(1);
    // The connection to the upstream carries on.
    expect((await fanout(via, 3)).messages).toHaveLength(3);
  });
});
