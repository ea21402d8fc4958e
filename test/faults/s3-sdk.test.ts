import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { startProxy, type Running } from '../helpers/faultline.js';
import { closeServer, listenOn } from '../helpers/http.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

/** A small S3-shaped upstream: PUT /bucket/key stores the body and answers 200 with an ETag. */
async function s3Upstream(): Promise<{ url: string; objects: Map<string, number> }> {
  const objects = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let size = 0;
    req.on('data', (c: Buffer) => (size += c.length));
    req.on('end', () => {
      if (req.method === 'PUT') objects.set((req.url ?? '').split('?')[0] ?? '', size);
      res.writeHead(200, { etag: '"0123456789abcdef0123456789abcdef"', 'content-length': 0 });
      res.end();
    });
  });
  const port = await listenOn(server);
  cleanups.push(() => closeServer(server));
  return { url: `http://127.0.0.1:${port}`, objects };
}

async function setup(): Promise<{ proxy: Running; objects: Map<string, number>; s3: S3Client }> {
  const up = await s3Upstream();
  const scenario = `
version: 1
rules:
  - name: minio-full
    match: { method: PUT, path: /minio-bucket/** }
    when: { quota: { key: global, measure: bytes, limit: 100 } }
    fault: { as: minio }
  - name: ceph-full
    match: { method: PUT, path: /ceph-bucket/** }
    when: { quota: { key: global, measure: bytes, limit: 100 } }
    fault: { as: ceph }
`;
  const proxy = await startProxy(up.url, { scenario });
  cleanups.push(() => proxy.close());
  const s3 = new S3Client({
    endpoint: proxy.url,
    region: 'us-east-1',
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    credentials: { accessKeyId: 'AKIAFAULTLINE', secretAccessKey: 'not-a-secret' },
    maxAttempts: 1,
  });
  cleanups.push(async () => s3.destroy());
  return { proxy, objects: up.objects, s3 };
}

async function putError(s3: S3Client, bucket: string, key: string, size: number): Promise<S3ServiceException> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(size, 'x') }));
  } catch (err) {
    if (err instanceof S3ServiceException) return err;
    throw err;
  }
  throw new Error(`PUT ${bucket}/${key} succeeded`);
}

describe('the AWS S3 SDK against faultline in front of an S3-shaped upstream', () => {
  it('as: minio — a full drive is XMinioStorageFull (507); what fits is stored', async () => {
    const { s3, objects } = await setup();
    await s3.send(new PutObjectCommand({ Bucket: 'minio-bucket', Key: 'a.bin', Body: Buffer.alloc(60, 'x') }));
    expect(objects.get('/minio-bucket/a.bin')).toBe(60);
    const err = await putError(s3, 'minio-bucket', 'b.bin', 50);
    expect(err.name).toBe('XMinioStorageFull');
    expect(err.$metadata.httpStatusCode).toBe(507);
    expect(err.message).toBe(
      'Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed.',
    );
    expect(err.$metadata.requestId).toBeTruthy();
    expect(objects.has('/minio-bucket/b.bin')).toBe(false);
  });

  it('as: ceph — a user or bucket quota is QuotaExceeded (403)', async () => {
    const { s3, objects } = await setup();
    const err = await putError(s3, 'ceph-bucket', 'big.bin', 150);
    expect(err.name).toBe('QuotaExceeded');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.$metadata.requestId).toBeTruthy();
    expect(objects.size).toBe(0);
  });
});
