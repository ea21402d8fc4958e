import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/load.js';
import { upstreamLabel } from '../../src/config/settings.js';

function load(flags: Record<string, string | boolean>, env: NodeJS.ProcessEnv = {}): ReturnType<typeof loadSettings> {
  return loadSettings({ flags: new Map(Object.entries(flags)), env, configFile: null });
}

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return `${(err as { code?: string }).code}: ${(err as Error).message}`;
  }
  return 'no error';
}

describe('upstream protocol settings', () => {
  it('http:// and https:// stay HTTP/1.1 by default', () => {
    expect(load({ upstream: 'http://127.0.0.1:3000' }).upstreamHttp2).toBe('off');
    expect(load({ upstream: 'https://api.example' }).upstreamHttp2).toBe('off');
  });

  it('h2c:// is HTTP/2 with prior knowledge, kept as the http:// URL of the same host, port and path', () => {
    const s = load({ upstream: 'h2c://127.0.0.1:50051/base' });
    expect(s.upstreamHttp2).toBe('h2c');
    expect(s.upstream?.href).toBe('http://127.0.0.1:50051/base');
    expect(upstreamLabel(s.upstream as URL, s.upstreamHttp2)).toBe('h2c://127.0.0.1:50051/base');
    expect(load({ upstream: 'H2C://[::1]:50051' }).upstream?.host).toBe('[::1]:50051');
    expect(load({ upstream: 'h2c://grpc.internal' }).upstream?.port).toBe('');
  });

  it('--upstream-http2 (or FAULTLINE_UPSTREAM_HTTP2) offers h2 by ALPN to an https:// upstream', () => {
    expect(load({ upstream: 'https://api.example', upstreamHttp2: true }).upstreamHttp2).toBe('alpn');
    expect(load({ upstream: 'https://api.example' }, { FAULTLINE_UPSTREAM_HTTP2: 'true' }).upstreamHttp2).toBe('alpn');
    expect(load({ upstream: 'h2c://127.0.0.1:1', upstreamHttp2: true }).upstreamHttp2).toBe('h2c');
  });

  it('refuses --upstream-http2 on http://, and schemes it cannot speak, with a clear message', () => {
    expect(problem(() => load({ upstream: 'http://127.0.0.1:3000', upstreamHttp2: true }))).toBe(
      'FAULTLINE_CONFIG_INVALID: --upstream-http2 needs an https:// upstream (HTTP/2 is offered in the TLS handshake); for HTTP/2 over plain TCP write h2c://127.0.0.1:3000',
    );
    expect(problem(() => load({ upstream: 'grpc://127.0.0.1:3000' }))).toBe(
      'FAULTLINE_CONFIG_INVALID: --upstream: "grpc://127.0.0.1:3000" must be an http://, https:// or h2c:// URL',
    );
    expect(problem(() => load({ upstream: 'h2c:127.0.0.1:3000' }))).toMatch(
      /^FAULTLINE_CONFIG_INVALID: --upstream: .*names no host/,
    );
    expect(problem(() => load({ upstream: 'h2c://127.0.0.1:3000/?x=1' }))).toMatch(/must not carry a query/);
  });
});
