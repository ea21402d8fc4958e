import type { ErrorCode } from '../errors.js';
import type { UpstreamFailure } from './events.js';

/*
 * What a failed upstream call is, for the metrics label and the client's problem+json: the error
 * from undici, node:http or node:http2 (or the socket under them) mapped to a bounded reason, and
 * the reason to a coded, deliberately generic answer (no addresses, no stack).
 */

export const FAILURE_CODES: Record<UpstreamFailure, ErrorCode> = {
  unreachable: 'FAULTLINE_UPSTREAM_UNREACHABLE',
  timeout: 'FAULTLINE_UPSTREAM_TIMEOUT',
  reset: 'FAULTLINE_UPSTREAM_RESET',
  tls: 'FAULTLINE_UPSTREAM_UNREACHABLE',
  protocol: 'FAULTLINE_UPSTREAM_UNREACHABLE',
};

export const FAILURE_DETAIL: Record<UpstreamFailure, string> = {
  unreachable: 'The upstream service could not be reached.',
  timeout: 'The upstream service did not answer in time.',
  reset: 'The upstream service closed the connection before answering.',
  tls: 'The TLS handshake with the upstream service failed.',
  protocol: 'The upstream service sent an invalid HTTP response.',
};

/** Map an error from an upstream client (or the socket under it) to a bounded reason. */
export function classifyUpstreamError(err: NodeJS.ErrnoException): UpstreamFailure {
  const code = err.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ESOCKETTIMEDOUT') return 'timeout';
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'reset';
  if (
    code.startsWith('HPE_') ||
    code.startsWith('ERR_HTTP2_') ||
    code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' ||
    code === 'UND_ERR_INVALID_ARG'
  )
    return 'protocol';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT')
    return 'tls';
  return 'unreachable';
}
