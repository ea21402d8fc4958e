import { streamOf } from './h2-wire.js';
import type { ProxyRequest } from './messages.js';

/**
 * Does the request carry a body? HTTP/1.1 (RFC 9112 §6.3): a Content-Length other than 0, or a
 * Transfer-Encoding. HTTP/2 (RFC 9113 §8.1): its HEADERS frame did not end the stream — a body
 * needs no Content-Length there.
 */
export function hasBody(req: ProxyRequest): boolean {
  if (req.httpVersionMajor === 2) return !streamOf(req).endAfterHeaders;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
