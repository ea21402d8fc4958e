import type { IncomingMessage } from 'node:http';
import { h2Fields } from './h2-fields.js';
import { clientOrigin, rewriteLocation, type LocationBase } from './location.js';
import { SESSION_HEADER } from '../http/session-header.js';

/*
 * Header rewriting for both directions, on the raw `[name, value, name, value, ...]` arrays Node
 * gives us, so names keep their case and repeated headers keep their order (byte-exact
 * pass-through). Hop-by-hop fields (RFC 9110 §7.6.1) and any field the message's own `Connection`
 * header names are dropped: they describe one connection, not the message.
 */
const HOP_BY_HOP =
  /^(?:connection|keep-alive|proxy-connection|proxy-authenticate|proxy-authorization|te|trailer|transfer-encoding|upgrade)$/i;
/** Response side: the same, but `Trailer` passes (it announces the trailers relayed at the end). */
const RESPONSE_HOP_BY_HOP =
  /^(?:connection|keep-alive|proxy-connection|proxy-authenticate|proxy-authorization|te|transfer-encoding|upgrade)$/i;

/** Names listed in `Connection` (lower-cased), or null when it lists only the usual tokens. */
function connectionListed(connection: string | undefined): Set<string> | null {
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return null;
  let set: Set<string> | null = null;
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (name === '' || name === 'keep-alive' || name === 'close' || name === 'upgrade') continue;
    (set ??= new Set()).add(name);
  }
  return set;
}

/**
 * Outgoing request headers for the upstream: the client's headers minus hop-by-hop fields, minus
 * `host` (replaced by the upstream's, like nginx's default) and the inbound `x-request-id` (replaced by
 * ours), minus `Expect` (on undici, faultline answers `100 Continue` itself when it forwards), plus
 * `X-Forwarded-For/-Proto/-Host`, `Via` and `x-request-id`. An HTTP/2 request's pseudo-headers are dropped
 * (its `:authority` arrives as `host`, see h2-server.ts). With `framing` (a request node-upstream.ts
 * carries), the client's `Transfer-Encoding`, `Trailer` and `Expect` pass as sent, in their place:
 * that client frames the body by them and relays the upstream's `100 Continue`. `skip` names one more header
 * (lower-case) to drop, e.g. the per-request fault header; the session header never goes upstream.
 *
 * For an upstream that may speak HTTP/2 (`http2`), `TE: trailers` passes as `te: trailers` (the
 * one TE value HTTP/2 allows, and one a gRPC server looks for; faultline relays trailers) and
 * `HTTP2-Settings` (an HTTP/1.1 upgrade field) is dropped; undici sends the `Host` value as
 * `:authority`. An HTTP/2 client's Cookie fields are joined into one with `; `, as RFC 9113 §8.2.3
 * requires before the request goes on over HTTP/1.1 (and allows over HTTP/2).
 */
export function upstreamRequestHeaders(
  req: IncomingMessage,
  upstreamHost: string,
  requestId: string,
  skip: string | null,
  http2: boolean,
  framing: boolean,
): string[] {
  const raw = req.rawHeaders;
  const listed = connectionListed(req.headers.connection);
  const out: string[] = [];
  let xff: string | null = null;
  let via: string | null = null;
  const crumbs = req.httpVersionMajor === 2;
  let cookieAt = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    // HTTP/2 pseudo-headers (`:method`, `:path`, `:authority`...) are the request line, not fields.
    if (name.charCodeAt(0) === 58 /* ':' */) continue;
    const lower = name.toLowerCase();
    if (framing && (lower === 'transfer-encoding' || lower === 'trailer' || lower === 'expect')) {
      out.push(name, value);
      continue;
    }
    if (
      HOP_BY_HOP.test(name) ||
      lower === 'host' ||
      lower === 'x-request-id' ||
      lower === 'expect' ||
      lower === SESSION_HEADER ||
      lower === skip ||
      (http2 && lower === 'http2-settings')
    ) {
      if (http2 && lower === 'te' && TE_TRAILERS.test(value)) out.push('te', 'trailers');
      continue;
    }
    if (listed !== null && listed.has(lower)) continue;
    if (lower === 'x-forwarded-for') {
      xff = xff === null ? value : `${xff}, ${value}`;
      continue;
    }
    if (lower === 'via') {
      via = via === null ? value : `${via}, ${value}`;
      continue;
    }
    if (lower === 'x-forwarded-proto' || lower === 'x-forwarded-host') continue;
    if (crumbs && lower === 'cookie') {
      // An HTTP/2 client's Cookie crumbs become one field again (RFC 9113 §8.2.3), where the first was.
      if (cookieAt === -1) cookieAt = out.length;
      else {
        out[cookieAt + 1] = `${out[cookieAt + 1] as string}; ${value}`;
        continue;
      }
    }
    out.push(name, value);
  }
  const client = req.socket.remoteAddress ?? 'unknown';
  out.push(
    'Host',
    upstreamHost,
    'X-Forwarded-For',
    xff === null ? client : `${xff}, ${client}`,
    'X-Forwarded-Proto',
    overTls(req) ? 'https' : 'http',
    'X-Forwarded-Host',
    req.headers.host ?? '',
    'Via',
    via === null ? VIA : `${via}, ${VIA}`,
    'X-Request-Id',
    requestId,
  );
  return out;
}

const VIA = '1.1 faultline';
/** A TE field value that lists `trailers`. */
const TE_TRAILERS = /(?:^|,)\s*trailers\s*(?:[,;]|$)/i;

/**
 * Response headers for the client from the upstream's raw head (names and values as received, in
 * order): minus hop-by-hop fields, plus `Via` and our `x-request-id` (the upstream's own is
 * replaced so the client sees one id end to end), and the marker when a fault applies.
 */
export function clientResponseHeaders(
  raw: readonly Buffer[],
  requestId: string,
  marker: string | null,
  base: LocationBase,
  req: IncomingMessage,
): string[] {
  let listed: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as Buffer;
    if (name.length === 10 && name.toString('latin1').toLowerCase() === 'connection')
      listed = connectionListed((raw[i + 1] as Buffer).toString('latin1').toLowerCase()) ?? listed;
  }
  const out: string[] = [];
  let via: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1');
    if (RESPONSE_HOP_BY_HOP.test(name)) continue;
    const value = (raw[i + 1] as Buffer).toString('latin1');
    const lower = name.toLowerCase();
    if (lower === 'x-request-id') continue;
    if (listed !== null && listed.has(lower)) continue;
    if (lower === 'via') {
      via = via === null ? value : `${via}, ${value}`;
      continue;
    }
    if (lower === 'location' || lower === 'content-location') {
      // Like nginx's `proxy_redirect default`: the upstream's own origin becomes the client's.
      out.push(name, rewriteLocation(value, base, clientOrigin(req.headers.host, overTls(req))));
      continue;
    }
    out.push(name, value);
  }
  out.push('Via', via === null ? VIA : `${via}, ${VIA}`, 'X-Request-Id', requestId);
  if (marker !== null) out.push('X-Faultline-Fault', marker);
  return out;
}

/**
 * The upstream's raw trailers for `res.addTrailers`: name/value pairs as received for an HTTP/1.1
 * client; for an HTTP/2 client an object of lower-case names (Node's HTTP/2 response reads only
 * an object), a repeated field as a list so each value stays its own field, without the fields
 * HTTP/2 cannot carry (h2-fields.ts).
 */
export function clientTrailers(
  raw: readonly (Buffer | string)[],
  h2Client: boolean,
): [string, string][] | Record<string, string | string[]> {
  const pairs: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([latin1(raw[i]), latin1(raw[i + 1])]);
  return h2Client ? h2Fields(pairs) : pairs;
}

function latin1(v: Buffer | string | undefined): string {
  return v === undefined ? '' : typeof v === 'string' ? v : v.toString('latin1');
}

/** The client reached faultline over TLS (an https listener, or h2 by ALPN). */
function overTls(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true;
}
