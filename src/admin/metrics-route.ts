import type { Metrics } from '../metrics/metrics.js';
import { route, type AdminRoute } from './router.js';

/** `GET /metrics`: the Prometheus text exposition; open like /healthz, since scrapers carry no token. */
export function metricsRoute(metrics: Metrics): AdminRoute {
  return route('GET', '/metrics', false, async (ar) => {
    const text = await metrics.render();
    ar.res.writeHead(200, {
      'content-type': metrics.contentType,
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
      'x-request-id': ar.id,
    });
    ar.res.end(ar.method === 'HEAD' ? undefined : text);
  });
}
