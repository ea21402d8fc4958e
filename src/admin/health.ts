import { route, sendJson, type AdminRoute } from './router.js';

/** Where the proxy is in its life, as /readyz reports it. */
export type Readiness = 'starting' | 'ready' | 'draining';

/**
 * `GET /healthz` (the process answers) and `GET /readyz` (200 only while the proxy listens and is
 * configured; 503 while starting and from the start of a drain until the process exits, so a load
 * balancer stops sending before the proxy stops answering).
 */
export function healthRoutes(state: { readiness: () => Readiness }): AdminRoute[] {
  return [
    route('GET', '/healthz', false, (ar) => sendJson(ar, 200, { status: 'ok' })),
    route('GET', '/readyz', false, (ar) => {
      const readiness = state.readiness();
      sendJson(ar, readiness === 'ready' ? 200 : 503, { status: readiness === 'starting' ? 'not ready' : readiness });
    }),
  ];
}
