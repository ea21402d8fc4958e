import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/load.js';

const load = (flags: Record<string, string>, env: Record<string, string> = {}) =>
  loadSettings({ flags: new Map(Object.entries(flags)), env, configFile: null });

describe('listener limit settings', () => {
  it('have documented defaults', () => {
    expect(load({})).toMatchObject({
      headersTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 0,
      maxHeaderSize: 16 * 1024,
      maxUriLength: 8 * 1024,
    });
  });

  it('come from flags and environment variables, flags first', () => {
    const s = load(
      { headersTimeout: '2s', maxUriLength: '4KiB' },
      {
        FAULTLINE_HEADERS_TIMEOUT: '9s',
        FAULTLINE_KEEP_ALIVE_TIMEOUT: '750ms',
        FAULTLINE_MAX_CONNECTIONS: '2000',
        FAULTLINE_MAX_HEADER_SIZE: '32KiB',
      },
    );
    expect(s).toMatchObject({
      headersTimeoutMs: 2000,
      keepAliveTimeoutMs: 750,
      maxConnections: 2000,
      maxHeaderSize: 32 * 1024,
      maxUriLength: 4096,
    });
  });

  it.each([
    [{ maxHeaderSize: '100' }, /--max-header-size: "100" is too small \(at least 1KiB\)/],
    [{ maxUriLength: 'big' }, /--max-uri-length: expected/],
    [{ maxConnections: '-1' }, /--max-connections: "-1" is not a non-negative integer/],
    [{ headersTimeout: 'soon' }, /--headers-timeout: expected/],
  ])('refuses %j', (flags, message) => {
    expect(() => load(flags)).toThrow(message);
  });
});
