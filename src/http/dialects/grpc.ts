/*
 * gRPC's way of failing (grpc/grpc doc/PROTOCOL-HTTP2.md, doc/statuscodes.md): HTTP 200 and a
 * Trailers-Only response, one HEADERS frame with END_STREAM carrying `content-type`,
 * `grpc-status` (the code as a decimal number), `grpc-message` (percent-encoded) and optionally
 * `grpc-status-details-bin` (base64). Pure data and functions: the scenario schema reads the names,
 * the answer renderer the rest.
 */

/** The 17 canonical status codes; a code's number is its index. */
export const GRPC_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** gRPC's answer to a full disk or a spent quota: RESOURCE_EXHAUSTED. */
export const RESOURCE_EXHAUSTED = 8;

/** The request's `content-type` says gRPC: `application/grpc`, `application/grpc+proto`, `application/grpc-web` ... */
export function isGrpcContentType(contentType: string | undefined): contentType is string {
  if (contentType === undefined || contentType.length < 16) return false;
  if (contentType.slice(0, 16).toLowerCase() !== 'application/grpc') return false;
  const next = contentType.charCodeAt(16);
  // End, `+subtype`, `-web`, `;` parameters: not `application/grpcfoo`.
  return Number.isNaN(next) || next === 43 /* + */ || next === 45 /* - */ || next === 59; /* ; */
}

/**
 * The `content-type` of an answer to a request: the request's own gRPC type (a server answers
 * `application/grpc+proto` to `application/grpc+proto`), else plain `application/grpc`.
 */
export function grpcResponseType(requestType: string | undefined): string {
  return isGrpcContentType(requestType) ? requestType : 'application/grpc';
}

/**
 * `grpc-message` as the spec's Percent-Encoded: the UTF-8 bytes of the message, each byte outside
 * printable ASCII (0x20-0x7E) and `%` itself written as `%XX`.
 */
function percentEncodeGrpcMessage(message: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(message)) return message;
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The code in a serialized google.rpc.Status (what `grpc-status-details-bin` carries): field 1, a
 * varint, 0 when absent (protobuf's last one wins); null when the bytes are not such a message in
 * protobuf's wire format (fields 2 `message` and 3 `details` length-delimited, others skipped by
 * their wire type, nothing cut short).
 */
export function statusDetailsCode(bytes: Uint8Array): number | null {
  let at = 0;
  let code = 0;
  const varint = (): number | null => {
    let value = 0;
    for (let shift = 1; shift <= 2 ** 63 && at < bytes.length; shift *= 128) {
      const byte = bytes[at++] as number;
      value += (byte & 0x7f) * shift;
      if (byte < 0x80) return value;
    }
    return null;
  };
  while (at < bytes.length) {
    const tag = varint();
    if (tag === null || tag < 8) return null;
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if ((field === 1 && wireType !== 0) || ((field === 2 || field === 3) && wireType !== 2)) return null;
    if (wireType === 0) {
      const value = varint();
      if (value === null) return null;
      if (field === 1) code = value;
    } else if (wireType === 2) {
      const length = varint();
      if (length === null || length > bytes.length - at) return null;
      at += length;
    } else if (wireType === 1 || wireType === 5) {
      at += wireType === 1 ? 8 : 4;
      if (at > bytes.length) return null;
    } else return null;
  }
  return code;
}

/** The gRPC answer's fields: `grpc-status`, and `grpc-message` / `grpc-status-details-bin` when given. */
export function grpcStatusHeaders(code: number, message: string | null, details: string | null): [string, string][] {
  const headers: [string, string][] = [['grpc-status', String(code)]];
  if (message !== null && message !== '') headers.push(['grpc-message', percentEncodeGrpcMessage(message)]);
  if (details !== null) headers.push(['grpc-status-details-bin', details]);
  return headers;
}

/**
 * The gRPC status a client derives from an HTTP status that came without one
 * (doc/http-grpc-status-mapping.md), as Envoy does when it answers a gRPC request itself.
 */
export function grpcStatusForHttp(status: number): number {
  switch (status) {
    case 400:
      return 13; // INTERNAL
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 12; // UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
    case 504:
      return 14; // UNAVAILABLE
    default:
      return 2; // UNKNOWN
  }
}
