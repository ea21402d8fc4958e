import type { FindingId } from './catalogue.js';

/** One header as it went over the wire: original case, original order, duplicates kept. */
export type HeaderPair = readonly [name: string, value: string];

export type Severity = 'error' | 'warning' | 'info';

/** How the message body ends (RFC 9112 §6.3): no body, Content-Length, chunked, or at connection close. */
export type FramingKind = 'none' | 'length' | 'chunked' | 'close';

/** What the raw bytes said about where the message ends, beside the parsed head. */
export interface Framing {
  kind: FramingKind;
  /** Octets received after the message ended as framed (for HEAD/204/304: every octet after the head). */
  extraBytes: number;
  /** The first chunked-coding defect, or the connection closing before the last chunk. */
  chunkError: string | null;
  /** Head syntax defects (bare LF, obs-fold, whitespace before a colon, ...). */
  headSyntax: string[];
}

/** What to request. Only `url` is required. */
export interface InspectRequest {
  /** Absolute `http:` or `https:` URL. */
  url: string;
  /** Defaults to `POST` when a body is given, `GET` otherwise (curl's rule). */
  method?: string;
  /** Sent in this order; `Host`, `User-Agent`, `Accept`, `Connection` and `Content-Length` are added when absent. */
  headers?: readonly HeaderPair[];
  body?: string | Uint8Array;
}

/** How to request it. */
export interface InspectOptions {
  /** Follow 301/302/303/307/308 and report the whole chain (default false). */
  follow?: boolean;
  /** Redirects followed before giving up with `too-many-redirects` (default 20). */
  maxRedirects?: number;
  /** Per request, from start to the end of the body (default 10 000 ms). */
  timeoutMs?: number;
  /** When an error lacks CORS headers, GET the origin's `/` to compare (default true). */
  corsProbe?: boolean;
  /** Body bytes kept for analysis and display; all bytes are still counted (default 64 KiB). */
  captureBytes?: number;
}

/** Milliseconds from the start of the request, cumulative like curl's `time_*`. */
export interface Timings {
  /** Name resolved; null when the host was an IP literal and no lookup happened. */
  dnsMs: number | null;
  /** TCP connected. */
  connectMs: number | null;
  /** TLS handshake done; null for plain HTTP. */
  tlsMs: number | null;
  /** First response byte received. */
  firstByteMs: number | null;
  /** Response complete (or abandoned). */
  totalMs: number;
}

export interface ExchangeRequest {
  method: string;
  url: string;
  /** Exactly the header lines sent. */
  headers: HeaderPair[];
  bodyBytes: number;
}

export interface ExchangeResponse {
  httpVersion: string;
  status: number;
  statusText: string;
  headers: HeaderPair[];
  /**
   * Message-body octets as framed (RFC 9112 §6.3): de-chunked for chunked, at most Content-Length
   * for a length; bytes after that end are `framing.extraBytes`.
   */
  bodyBytes: number;
  /** The first `captureBytes` of the body, as received (still content-coded); for HEAD/204/304 the bytes that followed anyway. */
  body: Buffer;
  bodyTruncated: boolean;
  /** The captured body with its content codings undone (as far as they decode). */
  content: Buffer;
  /** The captured body as text for analysis and display, decoded from gzip/deflate/br when possible. */
  text: string;
  /** Why the Content-Encoding did not decode, or null (also null when there is nothing to decode). */
  codingError: string | null;
  framing: Framing;
  /** The response message ended as framed. False when the connection closed early or time ran out. */
  complete: boolean;
  timedOut: boolean;
  /** The first framing or head-syntax defect a strict HTTP parser would refuse, or null. */
  protocolError: string | null;
}

/** One request and its response. */
export interface Exchange {
  request: ExchangeRequest;
  response: ExchangeResponse;
  timings: Timings;
}

/** The extra GET made to learn whether success responses of the origin carry CORS headers. */
export interface CorsProbe {
  url: string;
  status: number | null;
  allowOrigin: string | null;
  /** Why the probe gave no answer (network error), if it did not. */
  error: string | null;
}

export interface Finding {
  id: FindingId;
  severity: Severity;
  /** What was observed on this exchange. */
  message: string;
  /** One sentence: why it matters to clients (from the catalogue). */
  why: string;
  /** One line: what to change (from the catalogue). */
  fix: string;
  /** Links to the specification sections that decide it. */
  refs: readonly string[];
  /** The text that triggered the finding, shortened, when there is one. */
  evidence?: string;
}

export interface InspectResult {
  /** Every hop, in order; the last is the one the findings describe. */
  exchanges: Exchange[];
  findings: Finding[];
  corsProbe: CorsProbe | null;
  counts: Record<Severity, number>;
}
