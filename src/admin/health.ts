import { route, sendJson, type AdminRoute } from './router.js';

/** `GET /healthz` (the process answers) and `GET /readyz` (the proxy listens and is configured). */
export function healthRoutes(state: { ready: () => boolean }): AdminRoute[] {
  return [
    route('GET', '/healthz', false, (ar) => sendJson(ar, 200, { status: 'ok' })),
    route('GET', '/readyz', false, (ar) => {
      const ready = state.ready();
      sendJson(ar, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' });
    }),
  ];
}
