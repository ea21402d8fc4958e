import { finding } from '../catalogue.js';
import { hasHeader } from '../headers.js';
import type { Finding } from '../types.js';
import { isError, type Check } from './check.js';

/** Headers that name a request for log correlation, as common servers, proxies and CDNs send them. */
export const REQUEST_ID_HEADERS: readonly string[] = [
  'x-request-id',
  'request-id',
  'x-correlation-id',
  'correlation-id',
  'x-trace-id',
  'traceparent',
  'x-amzn-requestid',
  'x-amz-request-id',
  'x-amz-cf-id',
  'cf-ray',
  'x-ms-request-id',
  'x-cloud-trace-context',
  'x-b3-traceid',
  'x-datadog-trace-id',
  'x-vercel-id',
  'fly-request-id',
  'x-github-request-id',
];

/** Can a client that saw this error point operators at the server's log line? */
export const tracingCheck: Check = {
  name: 'tracing',
  ids: ['no-request-id'],
  run({ exchange: { response } }): Finding[] {
    if (!isError(response.status)) return [];
    if (REQUEST_ID_HEADERS.some((name) => hasHeader(response.headers, name))) return [];
    return [finding('no-request-id', `${response.status} response has no request or correlation id header (e.g. X-Request-Id)`)];
  },
};
