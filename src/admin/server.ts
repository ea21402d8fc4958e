import http from 'node:http';
import type { Logger } from '../log/logger.js';
import { createTokenCheck } from './auth.js';
import { matchRoute, parseAdminRequest, sendAdminProblem, type AdminRoute } from './router.js';

/**
 * The admin listener: health, metrics, the JSON API and the console. When a token is set, every
 * route marked `needsToken` (all but /healthz, /readyz and /metrics) needs
 * `Authorization: Bearer <token>`; without it the answer is 401 and nothing is read or changed.
 */
export function createAdminServer(routes: readonly AdminRoute[], token: string | null, log: Logger): http.Server {
  const authorized = createTokenCheck(token);
  return http.createServer((req, res) => {
    const ar = parseAdminRequest(req, res);
    const { route, allowed } = matchRoute(routes, ar.method, ar.segments);
    if (route === null) {
      req.resume();
      if (allowed.length > 0)
        sendAdminProblem(ar, 'FAULTLINE_METHOD_NOT_ALLOWED', `${ar.method} is not allowed on ${ar.path}`, undefined, {
          allow: allowed.join(', '),
        });
      else sendAdminProblem(ar, 'FAULTLINE_ADMIN_NOT_FOUND', `no admin route ${ar.method} ${ar.path}`);
      return;
    }
    if (route.needsToken && !authorized(req)) {
      req.resume();
      sendAdminProblem(
        ar,
        'FAULTLINE_ADMIN_UNAUTHORIZED',
        'this admin route needs Authorization: Bearer <admin token>',
        undefined,
        { 'www-authenticate': 'Bearer realm="faultline-admin"' },
      );
      return;
    }
    Promise.resolve()
      .then(() => route.handler(ar))
      .catch((err: unknown) => {
        log.error({ err, path: ar.path, reqId: ar.id }, 'admin request failed');
        sendAdminProblem(ar, 'FAULTLINE_INTERNAL', 'the admin request failed; see the faultline log');
      });
  });
}
