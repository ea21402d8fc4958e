import type { CheckInput } from '../../src/inspect/checks/index.js';
import type { Exchange, HeaderPair } from '../../src/inspect/index.js';

/** An exchange built by hand, for checks that are pure functions of it. */
export function fakeExchange(o: {
  status?: number;
  method?: string;
  url?: string;
  headers?: HeaderPair[];
  text?: string;
  bodyBytes?: number;
  requestHeaders?: HeaderPair[];
}): Exchange {
  const text = o.text ?? '';
  const body = Buffer.from(text);
  return {
    request: {
      method: o.method ?? 'GET',
      url: o.url ?? 'http://api.example/orders/1',
      headers: o.requestHeaders ?? [],
      bodyBytes: 0,
    },
    response: {
      httpVersion: '1.1',
      status: o.status ?? 500,
      statusText: '',
      headers: o.headers ?? [],
      bodyBytes: o.bodyBytes ?? body.length,
      body,
      bodyTruncated: false,
      content: body,
      text,
      codingError: null,
      framing: { kind: 'length', extraBytes: 0, chunkError: null, headSyntax: [] },
      complete: true,
      timedOut: false,
      protocolError: null,
    },
    timings: { dnsMs: null, connectMs: 0, tlsMs: null, firstByteMs: 0, totalMs: 0 },
  };
}

export function input(exchange: Exchange): CheckInput {
  return { exchange, chain: [exchange], corsProbe: null, followed: false, redirectLimitReached: false };
}
