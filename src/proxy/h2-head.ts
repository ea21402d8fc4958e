import { h2Fields } from './h2-fields.js';
import type { ProxyResponse } from './messages.js';

/**
 * A relayed response head for an HTTP/2 client, sent at the end of the current tick instead of at
 * once: a response that ends within the tick (an HTTP/2 upstream's trailers-only answer, which is
 * every gRPC error without messages) leaves as one HEADERS frame with END_STREAM, as gRPC requires
 * of a trailers-only response; any other leaves as HEADERS, then its DATA, as before. Node's
 * compatibility response sends `writeHead` at once, and its `end()` then adds an empty DATA frame.
 */
export function writeH2Head(res: ProxyResponse, statusCode: number, headers: readonly string[]): void {
  res.statusCode = statusCode;
  const pairs: [string, string][] = [];
  for (let i = 0; i < headers.length; i += 2) pairs.push([headers[i] as string, headers[i + 1] as string]);
  const fields = h2Fields(pairs);
  for (const name in fields) res.setHeader(name, fields[name] as string | string[]);
  queueMicrotask(() => {
    if (!res.headersSent && !res.writableEnded) res.flushHeaders();
  });
}
