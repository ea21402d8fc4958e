import { reasonPhrase } from '../problem.js';
import { type DialectInput, type FormatBuilder, pascalCode, xml } from './types.js';

/*
 * S3's error document, as MinIO writes it (cmd/api-errors.go APIErrorResponse, encoded with Go's
 * xml.Header): `<Error>` with Code, Message, Key, BucketName, Resource, RequestId, HostId, and the
 * `x-amz-request-id` / `x-amz-id-2` headers. Path-style addressing: /bucket/key.
 */

/** The bucket and key of a path-style S3 request path. */
export function bucketAndKey(path: string): { bucket: string; key: string } {
  const slash = path.indexOf('/', 1);
  const bucket = slash === -1 ? path.slice(1) : path.slice(1, slash);
  const key = slash === -1 ? '' : path.slice(slash + 1);
  return { bucket: decodeOrRaw(bucket), key: decodeOrRaw(key) };
}

function decodeOrRaw(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** MinIO's HostId: the hex digest it derives from the deployment; a fixed one here. */
export const S3_HOST_ID = 'dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8';

export const s3Xml: FormatBuilder = (input: DialectInput) => {
  const { bucket, key } = bucketAndKey(input.resource);
  const code = input.code ?? pascalCode(reasonPhrase(input.status));
  const message = input.message ?? reasonPhrase(input.status);
  let body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xml(code)}</Code><Message>${xml(message)}</Message>`;
  if (key !== '') body += `<Key>${xml(key)}</Key>`;
  if (bucket !== '') body += `<BucketName>${xml(bucket)}</BucketName>`;
  body += `<Resource>${xml(input.resource)}</Resource><RequestId>${xml(input.requestId)}</RequestId><HostId>${S3_HOST_ID}</HostId></Error>`;
  return {
    contentType: 'application/xml',
    headers: [
      ['x-amz-request-id', input.requestId],
      ['x-amz-id-2', S3_HOST_ID],
    ],
    body,
  };
};

/** Ceph RGW's zonegroup-derived HostId; a fixed one here. */
export const CEPH_HOST_ID = 'faultline-default-default';

/**
 * Ceph RGW's flavour (src/rgw/rgw_rest.cc, dump()): Code, Message (empty for QuotaExceeded),
 * BucketName, RequestId, HostId; no Key or Resource, and no newline after the XML declaration.
 */
export const cephXml: FormatBuilder = (input: DialectInput) => {
  const { bucket } = bucketAndKey(input.resource);
  const code = input.code ?? pascalCode(reasonPhrase(input.status));
  let body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${xml(code)}</Code><Message>${xml(input.message ?? '')}</Message>`;
  if (bucket !== '') body += `<BucketName>${xml(bucket)}</BucketName>`;
  body += `<RequestId>${xml(input.requestId)}</RequestId><HostId>${CEPH_HOST_ID}</HostId></Error>`;
  return { contentType: 'application/xml', headers: [['x-amz-request-id', input.requestId]], body };
};
