import { describe, expect, it } from 'vitest';
import { request, type Reply } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { countingUpstream } from '../helpers/upstream.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { PRESET_NAMES } from '../../src/http/dialects/presets.js';

const cleanups = cleanupAfterEach();

/** 2026-01-02T03:04:05.678Z: the clock every answer below was rendered at. */
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const RID = 'req-1';

/** One quota rule per preset (100 bytes, global) and a few plain status faults with `format:`. */
async function setup(): Promise<{ proxy: Running; up: Awaited<ReturnType<typeof countingUpstream>> }> {
  const up = await countingUpstream();
  cleanups.push(() => up.close());
  const presetRules = PRESET_NAMES.map(
    (p) => `
  - name: full-${p}
    match: { method: PUT, path: /${p}/** }
    when: { quota: { key: global, measure: bytes, limit: 100 } }
    fault: { as: ${p} }`,
  ).join('');
  const scenario = `
version: 1
marker: false
rules:${presetRules}
  - name: s3-generic
    match: { path: /generic/s3/** }
    fault: { status: 507, format: s3-xml }
  - name: text-generic
    match: { path: /generic/text }
    fault: { status: 503, format: text, message: "try later" }
  - name: html-generic
    match: { path: /generic/html }
    fault: { status: 507, format: html }
  - name: google-own-code
    match: { path: /generic/google }
    fault: { status: 429, format: google-json, code: rateLimitExceeded, message: "Rate limit exceeded" }
  - name: minio-old
    match: { path: /generic/minio-500/** }
    fault: { as: minio, status: 500 }
`;
  const proxy = await startProxy(up.url, { scenario, now: () => NOW });
  cleanups.push(() => proxy.close());
  return { proxy, up };
}

function put(proxy: Running, path: string, bytes: number): Promise<Reply> {
  return request(proxy.url + path, {
    method: 'PUT',
    headers: { 'x-request-id': RID, 'content-length': String(bytes) },
    body: Buffer.alloc(bytes, 'x'),
  });
}

const HOST_ID = 'dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8';

/** What each preset sends for PUT /<preset>/photos/cat.jpg (150 bytes) against a 100-byte quota. */
const EXPECTED: Record<string, { status: number; type: string; headers: Record<string, string>; body: string }> = {
  minio: {
    status: 507,
    type: 'application/xml',
    headers: { 'x-amz-request-id': RID, 'x-amz-id-2': HOST_ID },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>XMinioStorageFull</Code><Message>Storage backend has reached its ' +
      'minimum free drive threshold. Please delete a few objects to proceed.</Message><Key>photos/cat.jpg</Key>' +
      `<BucketName>minio</BucketName><Resource>/minio/photos/cat.jpg</Resource><RequestId>req-1</RequestId><HostId>${HOST_ID}</HostId></Error>`,
  },
  'minio-bucket-quota': {
    status: 400,
    type: 'application/xml',
    headers: { 'x-amz-request-id': RID },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>XMinioAdminBucketQuotaExceeded</Code><Message>Bucket quota exceeded</Message>' +
      '<Key>photos/cat.jpg</Key><BucketName>minio-bucket-quota</BucketName><Resource>/minio-bucket-quota/photos/cat.jpg</Resource>' +
      `<RequestId>req-1</RequestId><HostId>${HOST_ID}</HostId></Error>`,
  },
  ceph: {
    status: 403,
    type: 'application/xml',
    headers: { 'x-amz-request-id': RID },
    body:
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>QuotaExceeded</Code><Message></Message><BucketName>ceph</BucketName>' +
      '<RequestId>req-1</RequestId><HostId>faultline-default-default</HostId></Error>',
  },
  'azure-files': {
    status: 403,
    type: 'application/xml',
    headers: { 'x-ms-error-code': 'ShareSizeLimitReached', 'x-ms-request-id': RID, 'x-ms-version': '2025-05-05' },
    body:
      '\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>ShareSizeLimitReached</Code><Message>The specified share is full.\n' +
      'RequestId:req-1\nTime:2026-01-02T03:04:05.6780000Z</Message></Error>',
  },
  graph: {
    status: 507,
    type: 'application/json',
    headers: { 'request-id': RID, 'client-request-id': RID },
    body:
      '{"error":{"code":"quotaLimitReached","message":"The user has reached their quota limit.","innerError":' +
      '{"date":"2026-01-02T03:04:05","request-id":"req-1","client-request-id":"req-1"}}}',
  },
  'google-drive': {
    status: 403,
    type: 'application/json; charset=UTF-8',
    headers: {},
    body:
      `{\n  "error": {\n    "code": 403,\n    "message": "The user's Drive storage quota has been exceeded.",\n` +
      `    "errors": [\n      {\n        "message": "The user's Drive storage quota has been exceeded.",\n` +
      '        "domain": "usageLimits",\n        "reason": "storageQuotaExceeded"\n      }\n    ]\n  }\n}\n',
  },
  b2: {
    status: 403,
    type: 'application/json;charset=utf-8',
    headers: {},
    body:
      '{\n  "code": "storage_cap_exceeded",\n  "message": "Cannot upload files, storage cap exceeded. See the Caps & Alerts page ' +
      'to increase your cap.",\n  "status": 403\n}',
  },
  webdav: {
    status: 507,
    type: 'application/xml; charset=utf-8',
    headers: {},
    body:
      '<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">\n' +
      '  <s:exception>Sabre\\DAV\\Exception\\InsufficientStorage</s:exception>\n' +
      '  <s:message>Insufficient space in /webdav/photos/cat.jpg, 150 required, 100 available</s:message>\n</d:error>\n',
  },
  postgrest: {
    status: 503,
    type: 'application/json; charset=utf-8',
    headers: {},
    body:
      '{"code":"53100","details":"0 bytes stored, 0 pending, 150 requested, limit 100","hint":"Check free disk space.",' +
      '"message":"could not extend file \\"base/16384/16385\\": No space left on device"}',
  },
  'nginx-disk-full': {
    status: 500,
    type: 'text/html',
    headers: { server: 'nginx' },
    body:
      '<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n' +
      '<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
  },
};

describe('as: <vendor> answers a full quota exactly as that service does', () => {
  it('covers every preset', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...PRESET_NAMES].sort());
  });

  it('each preset: status, content type, vendor headers and body bytes', async () => {
    const { proxy, up } = await setup();
    for (const preset of PRESET_NAMES) {
      const want = EXPECTED[preset]!;
      const r = await put(proxy, `/${preset}/photos/cat.jpg`, 150);
      expect(r.status, preset).toBe(want.status);
      expect(r.headers['content-type'], preset).toBe(want.type);
      expect(r.body.equals(Buffer.from(want.body, 'utf8')), `${preset}:\n${r.text}`).toBe(true);
      expect(r.headers['content-length'], preset).toBe(String(Buffer.byteLength(want.body)));
      for (const [name, value] of Object.entries(want.headers)) expect(r.headers[name], `${preset} ${name}`).toBe(value);
      expect(r.headers['x-request-id'], preset).toBe(RID);
    }
    // Refused before forwarding: the upstream saw none of them.
    expect(up.seen).toHaveLength(0);
  });

  it('a request the quota admits goes through untouched', async () => {
    const { proxy, up } = await setup();
    const r = await put(proxy, '/minio/photos/small.jpg', 50);
    expect(r.status).toBe(404); // the demo upstream's own answer: the request was forwarded
    expect(up.seen.map((s) => s.url)).toEqual(['/minio/photos/small.jpg']);
  });

  it('HEAD gets the head with no body; the length is still the body it would have had', async () => {
    const { proxy } = await setup();
    const r = await request(`${proxy.url}/generic/s3/b/k`, { method: 'HEAD', headers: { 'x-request-id': RID } });
    expect(r.status).toBe(507);
    expect(r.body.length).toBe(0);
    expect(Number(r.headers['content-length'])).toBeGreaterThan(100);
  });
});

describe('format: for any injected status', () => {
  it('s3-xml: the code is the reason phrase in PascalCase', async () => {
    const { proxy } = await setup();
    const r = await request(`${proxy.url}/generic/s3/bucket/a%20b.txt`, { headers: { 'x-request-id': RID } });
    expect(r.status).toBe(507);
    expect(r.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InsufficientStorage</Code><Message>Insufficient Storage</Message>' +
        '<Key>s3/bucket/a b.txt</Key><BucketName>generic</BucketName><Resource>/generic/s3/bucket/a%20b.txt</Resource>' +
        `<RequestId>req-1</RequestId><HostId>${HOST_ID}</HostId></Error>`,
    );
  });

  it('text, html and google-json with a code and message of its own', async () => {
    const { proxy } = await setup();
    const t = await request(`${proxy.url}/generic/text`);
    expect([t.status, t.headers['content-type'], t.text]).toEqual([503, 'text/plain; charset=utf-8', 'try later\n']);
    const h = await request(`${proxy.url}/generic/html`);
    expect(h.text).toBe(
      '<html>\r\n<head><title>507 Insufficient Storage</title></head>\r\n<body>\r\n' +
        '<center><h1>507 Insufficient Storage</h1></center>\r\n<hr><center>faultline</center>\r\n</body>\r\n</html>\r\n',
    );
    const g = await request(`${proxy.url}/generic/google`);
    expect(g.status).toBe(429);
    expect(JSON.parse(g.text)).toEqual({
      error: {
        code: 429,
        message: 'Rate limit exceeded',
        errors: [{ message: 'Rate limit exceeded', domain: 'usageLimits', reason: 'rateLimitExceeded' }],
      },
    });
  });

  it('as: with an explicit status keeps the vendor body (MinIO before 2020 answered 500)', async () => {
    const { proxy } = await setup();
    const r = await request(`${proxy.url}/generic/minio-500/b/k`, { headers: { 'x-request-id': RID } });
    expect(r.status).toBe(500);
    expect(r.text).toContain('<Code>XMinioStorageFull</Code>');
  });

  it('the access log counts the injected body bytes', async () => {
    const { proxy } = await setup();
    await proxy.close();
    const logged = await startProxy('http://127.0.0.1:9', {
      scenario: 'version: 1\nrules:\n  - name: t\n    fault: { status: 503, format: text, message: "try later" }\n',
      flags: { accessLog: true },
    });
    cleanups.push(() => logged.close());
    await request(`${logged.url}/x`);
    const line = logged.logs.find((l) => l['msg'] === 'request');
    expect(line?.['bytesOut']).toBe(Buffer.byteLength('try later\n'));
  });
});
