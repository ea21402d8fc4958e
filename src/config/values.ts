import type { HostPort } from './settings.js';

/*
 * Conversions of raw setting values (from a flag, an env var or the config file) into typed ones.
 * Each throws an Error whose message says what was expected; the loader adds where it came from.
 */

/**
 * The upstream URL: `http://` or `https://`, or `h2c://` (HTTP/2 with prior knowledge over plain
 * TCP, the scheme Traefik uses for such backends). An `h2c://` URL is returned as the `http://`
 * URL of the same host, port and path (what the upstream's own Location headers name, what
 * WebSocket upgrades reach) with `h2c: true`.
 */
export function toUpstreamUrl(raw: string): { url: URL; h2c: boolean } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`"${raw}" is not a URL (expected e.g. http://127.0.0.1:3000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'h2c:') {
    throw new Error(`"${raw}" must be an http://, https:// or h2c:// URL`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new Error(`"${raw}" must not carry a query, fragment or credentials`);
  }
  if (url.protocol !== 'h2c:') return { url, h2c: false };
  // h2c is not a scheme the URL parser knows: it names no default port and keeps the host as written.
  if (url.hostname === '') throw new Error(`"${raw}" names no host (expected e.g. h2c://127.0.0.1:50051)`);
  return { url: new URL(`http://${url.host}${url.pathname === '' ? '/' : url.pathname}`), h2c: true };
}

export function toHostPort(raw: string): HostPort {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(raw) ?? /^()()(\d{1,5})$/.exec(raw);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !Number.isInteger(port) || port > 65535) {
    throw new Error(`"${raw}" is not HOST:PORT (expected e.g. 0.0.0.0:8080 or 127.0.0.1:0)`);
  }
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export function toBoolean(raw: string | boolean): boolean {
  if (typeof raw === 'boolean') return raw;
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === 'off' || v === '') return false;
  throw new Error(`"${raw}" is not a boolean (expected true or false)`);
}

export function toInteger(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) throw new Error(`"${raw}" is not a non-negative integer`);
  return n;
}

export function toEnum(raw: string, values: readonly string[]): string {
  if (!values.includes(raw)) throw new Error(`"${raw}" is not one of ${values.join(', ')}`);
  return raw;
}
