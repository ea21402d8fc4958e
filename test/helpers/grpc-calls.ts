import http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { closeServer, listenOn } from './http.js';

/*
 * gRPC in tests without .proto files: services defined with makeGenericClientConstructor and
 * Buffer (de)serializers, so the messages are the bytes the test chose; and an upstream that
 * speaks gRPC's framing over HTTP/1.1 (5-byte length-prefixed messages, the status in chunked
 * trailers), which faultline's HTTP/1.1 upstream side relays to an HTTP/2 client as gRPC.
 */

const same = (b: Buffer): Buffer => b;

/**
 * A client whose methods are `/<service>/<method>`: unary, server-streaming for the names in
 * `streaming`, client-streaming for those in `uploads`.
 */
export function grpcClient(
  address: string,
  service: string,
  methods: readonly string[],
  streaming: readonly string[] = [],
  uploads: readonly string[] = [],
) {
  const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
  for (const name of [...methods, ...streaming, ...uploads]) {
    definition[name] = {
      path: `/${service}/${name}`,
      requestStream: uploads.includes(name),
      responseStream: streaming.includes(name),
      requestSerialize: same,
      requestDeserialize: same,
      responseSerialize: same,
      responseDeserialize: same,
    };
  }
  const Client = grpc.makeGenericClientConstructor(definition, service);
  return new Client(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, unknown>;
}

export interface UnaryResult {
  readonly error: grpc.ServiceError | null;
  readonly response: Buffer | null;
}

/** Call a unary method; resolves with the error or the response (never rejects). */
export function unary(
  client: grpc.Client & Record<string, unknown>,
  method: string,
  request: Buffer,
  metadata = new grpc.Metadata(),
) {
  const call = client[method] as (
    req: Buffer,
    md: grpc.Metadata,
    options: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null, res?: Buffer) => void,
  ) => void;
  return new Promise<UnaryResult>((resolve) => {
    call.call(client, request, metadata, { deadline: Date.now() + 10_000 }, (error, response) =>
      resolve({ error, response: response ?? null }),
    );
  });
}

export interface StreamResult {
  readonly messages: Buffer[];
  readonly error: grpc.ServiceError | null;
  readonly status: grpc.StatusObject | null;
}

/** Call a server-streaming method and collect what arrives until it ends or fails. */
export function serverStream(client: grpc.Client & Record<string, unknown>, method: string, request: Buffer) {
  const call = client[method] as (req: Buffer, md: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientReadableStream<Buffer>;
  return new Promise<StreamResult>((resolve) => {
    const messages: Buffer[] = [];
    let error: grpc.ServiceError | null = null;
    const stream = call.call(client, request, new grpc.Metadata(), { deadline: Date.now() + 10_000 });
    stream.on('data', (m: Buffer) => messages.push(m));
    stream.on('error', (e: grpc.ServiceError) => (error = e));
    stream.on('status', (status: grpc.StatusObject) => resolve({ messages, error, status }));
  });
}

/** Call a client-streaming method with these messages; resolves with the error or the response. */
export function clientStream(client: grpc.Client & Record<string, unknown>, method: string, messages: readonly Buffer[]) {
  const call = client[method] as (
    md: grpc.Metadata,
    options: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null, res?: Buffer) => void,
  ) => grpc.ClientWritableStream<Buffer>;
  return new Promise<UnaryResult>((resolve) => {
    const stream = call.call(client, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (error, response) =>
      resolve({ error, response: response ?? null }),
    );
    for (const m of messages) stream.write(m);
    stream.end();
  });
}

/** One gRPC Length-Prefixed-Message: uncompressed flag, 4-byte big-endian length, payload. */
export function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

export interface GrpcUpstream {
  readonly url: string;
  /** Paths of the calls that reached it, in order. */
  readonly calls: string[];
  close(): Promise<void>;
}

/**
 * An upstream answering every call with gRPC framing over HTTP/1.1: `count` messages
 * (`message-<i>`), written in pieces that split prefixes and payloads across writes, then
 * `grpc-status: 0` as a chunked trailer. The count comes from the request's first message (a
 * decimal number) or is 1.
 */
export async function grpcOverHttp1Upstream(): Promise<GrpcUpstream> {
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push(req.url ?? '');
      const body = Buffer.concat(chunks);
      const count = body.length > 5 ? Number(body.subarray(5).toString('utf8')) || 1 : 1;
      res.writeHead(200, { 'content-type': 'application/grpc', trailer: 'grpc-status, grpc-message' });
      const all = Buffer.concat(Array.from({ length: count }, (_, i) => frame(Buffer.from(`message-${i}`))));
      // Odd-sized writes: a prefix or a payload often spans two chunks.
      for (let at = 0; at < all.length; at += 7) res.write(all.subarray(at, at + 7));
      res.addTrailers({ 'grpc-status': '0', 'grpc-message': '' });
      res.end();
    });
  });
  const port = await listenOn(server);
  return { url: `http://127.0.0.1:${port}`, calls, close: () => closeServer(server) };
}
