import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type Running } from '../helpers/faultline.js';
import { clientStream, grpcClient, serverStream, unary } from '../helpers/grpc-calls.js';

/*
 * gRPC faults in front of a real gRPC server: @grpc/grpc-js on both sides, faultline between them
 * with `--upstream h2c://`. A server stream is cut after N messages (the client holds exactly N,
 * then an error), `replaceStatus: { grpc }` lets the server do the work and gives the client the
 * status, and a quota on an upload method answers RESOURCE_EXHAUSTED once it is used.
 */

const SCENARIO = `
version: 1
rules:
  - name: watch-cut
    match: { grpc: { service: store.v1.Objects, method: WatchCut } }
    fault: { truncate: { afterMessages: 3 } }
  - name: watch-reset
    match: { grpc: { service: store.v1.Objects, method: WatchReset } }
    fault: { reset: { afterMessages: 3 } }
  - name: put-lost
    match: { grpc: { service: store.v1.Objects, method: Put } }
    fault: { replaceStatus: { grpc: DEADLINE_EXCEEDED, message: "deadline exceeded after the write" } }
  - name: upload-quota
    match: { grpc: { service: store.v1.Objects, method: Upload } }
    when: { quota: { key: global, measure: requests, limit: 2 } }
    fault: { status: 507 }
`;

const same = (b: Buffer): Buffer => b;

function method(name: string, requestStream: boolean, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path: `/store.v1.Objects/${name}`,
    requestStream,
    responseStream,
    requestSerialize: same,
    requestDeserialize: same,
    responseSerialize: same,
    responseDeserialize: same,
  };
}

const SERVICE = {
  Watch: method('Watch', false, true),
  WatchCut: method('WatchCut', false, true),
  WatchReset: method('WatchReset', false, true),
  Put: method('Put', false, false),
  Upload: method('Upload', true, false),
};

/** Message i of a watch: sizes that split prefixes and payloads across DATA frames (up to 70 000 bytes). */
function message(i: number): Buffer {
  const size = [3, 0, 70_000, 1, 16_379, 5][i % 6] as number;
  return Buffer.alloc(size, i + 1);
}

let server: grpc.Server;
let proxy: Running;
let address: string;
const stored: Buffer[] = [];
let uploads = 0;

beforeAll(async () => {
  server = new grpc.Server();
  const watch = (call: grpc.ServerWritableStream<Buffer, Buffer>): void => {
    for (let i = 0; i < 10; i++) call.write(message(i));
    call.end();
  };
  server.addService(SERVICE, {
    Watch: watch,
    WatchCut: watch,
    WatchReset: watch,
    Put(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      stored.push(call.request);
      callback(null, Buffer.from('stored'));
    },
    Upload(call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      let bytes = 0;
      call.on('data', (m: Buffer) => (bytes += m.length));
      call.on('end', () => {
        uploads++;
        callback(null, Buffer.from(String(bytes)));
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  proxy = await startProxy(`h2c://127.0.0.1:${port}`, { scenario: SCENARIO });
  address = `127.0.0.1:${proxy.port}`;
});

afterAll(async () => {
  await proxy?.close();
  server?.forceShutdown();
});

describe('a server stream cut after N messages', () => {
  it('passes whole without a rule (the control)', async () => {
    const client = grpcClient(address, 'store.v1.Objects', [], ['Watch']);
    try {
      const r = await serverStream(client, 'Watch', Buffer.from('w'));
      expect(r.error).toBeNull();
      expect(r.status?.code).toBe(grpc.status.OK);
      expect(r.messages).toEqual(Array.from({ length: 10 }, (_, i) => message(i)));
    } finally {
      client.close();
    }
  });

  for (const [name, kind] of [
    ['WatchCut', 'truncate'],
    ['WatchReset', 'reset'],
  ] as const) {
    it(`${kind}: the client gets exactly three whole messages, then an error`, async () => {
      const client = grpcClient(address, 'store.v1.Objects', [], [name]);
      try {
        const r = await serverStream(client, name, Buffer.from('w'));
        expect(r.messages).toEqual([message(0), message(1), message(2)]);
        expect(r.error?.code).toBe(grpc.status.INTERNAL);
        expect(r.error?.details).toMatch(/RST_STREAM/);
      } finally {
        client.close();
      }
    });
  }
});

describe('replaceStatus with a gRPC status', () => {
  it('the server did the work; the client gets DEADLINE_EXCEEDED', async () => {
    const client = grpcClient(address, 'store.v1.Objects', ['Put']);
    try {
      const r = await unary(client, 'Put', Buffer.from('object-1'));
      expect(r.response).toBeNull();
      expect(r.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      expect(r.error?.details).toBe('deadline exceeded after the write');
      expect(stored).toEqual([Buffer.from('object-1')]);
    } finally {
      client.close();
    }
  });
});

describe('a quota on an upload method', () => {
  it('answers RESOURCE_EXHAUSTED once it is used, and the server sees no third upload', async () => {
    const client = grpcClient(address, 'store.v1.Objects', [], [], ['Upload']);
    try {
      const parts = [Buffer.alloc(100, 1), Buffer.alloc(50, 2)];
      for (let i = 0; i < 2; i++) {
        const ok = await clientStream(client, 'Upload', parts);
        expect([ok.error, ok.response?.toString()]).toEqual([null, '150']);
      }
      const refused = await clientStream(client, 'Upload', parts);
      expect(refused.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(refused.error?.details).toMatch(/^quota exceeded for global=.*: 2 of 2 requests used, 1 more requested/);
      expect(uploads).toBe(2);
    } finally {
      client.close();
    }
  });
});
