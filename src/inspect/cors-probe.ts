import { hasHeader, headerValue } from './headers.js';
import { performExchange, prepareRequest, type ExchangeOptions } from './request.js';
import type { CorsProbe, Exchange } from './types.js';

/**
 * To know whether an error hides from browsers we need what the *success* responses of the same
 * origin carry. The probe is one `GET /` of the origin with the same Origin header: the root is
 * the one path every origin has, and GET is what a page's simple request would be. It runs only
 * when the inspected response is an error, the request had an Origin, and the error itself has
 * no Access-Control-Allow-Origin; otherwise there is nothing to compare and it returns null.
 */
export async function probeCors(final: Exchange, options: ExchangeOptions): Promise<CorsProbe | null> {
  const { request, response } = final;
  const origin = headerValue(request.headers, 'origin');
  if (response.status < 400 || origin === null || hasHeader(response.headers, 'access-control-allow-origin')) return null;
  const url = new URL('/', request.url);
  try {
    const probe = await performExchange(prepareRequest(url, 'GET', [['Origin', origin]], null), options);
    return {
      url: url.href,
      status: probe.response.status,
      allowOrigin: headerValue(probe.response.headers, 'access-control-allow-origin'),
      error: null,
    };
  } catch (err) {
    return { url: url.href, status: null, allowOrigin: null, error: err instanceof Error ? err.message : String(err) };
  }
}
