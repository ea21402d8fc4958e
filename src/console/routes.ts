/**
 * The web console on the admin listener.
 *
 *   GET /                      index.html  ┐ built by `npm run build` into dist/console/, read on
 *   GET /console/assets/:name  js, css     ┘ first use; ETag, gzip, strict CSP (static.ts)
 *   GET /console, /console/    302 to /    (where people look for it first)
 *   GET /console/info          what the page shows in its header, the inspector's allowed targets
 *   POST /console/inspect      the inspector, run from the server (inspect-route.ts, target.ts)
 *
 * Everything else the page shows comes from the admin API itself (GET /rules, PATCH /rules/:name,
 * GET|PUT|DELETE /quotas) and the Prometheus text of GET /metrics, polled by the browser: the
 * console adds no work to the proxy's request path and none to start-up.
 */
import type { AddressInfo } from 'node:net';
import { route, sendAdminProblem, sendJson, type AdminRequest, type AdminRoute } from '../admin/router.js';
import type { HostPort, Settings } from '../config/settings.js';
import { lazyAssets, type Asset } from './assets.js';
import { sendAsset } from './static.js';
import { allowedTargets, type TargetPolicy } from './target.js';

export interface ConsoleDeps {
  readonly settings: Settings;
  /** The proxy listener (its address is known once it listens). */
  readonly proxy: { address(): AddressInfo | string | null };
  /** Where the built console lives (tests); default dist/console/ of this package. */
  readonly assetsDir?: URL;
}

/** The console's routes: the page and its files are open like /healthz; data and actions need the token. */
export function consoleRoutes(deps: ConsoleDeps): AdminRoute[] {
  const assets = lazyAssets(deps.assetsDir);
  const { settings } = deps;
  if (settings.upstream === null) throw new TypeError('consoleRoutes: settings.upstream is null');
  const policy: TargetPolicy = {
    anyHost: settings.inspectAnyHost,
    upstream: settings.upstream,
    proxy: () => hostPort(deps.proxy.address()),
  };
  const serve = async (ar: AdminRequest, name: string): Promise<void> => {
    ar.req.resume();
    const built = await assets();
    const asset: Asset | undefined = built?.get(name);
    if (asset !== undefined) return sendAsset(ar, asset);
    if (built === null) sendAdminProblem(ar, 'FAULTLINE_ADMIN_NOT_FOUND', 'the console is not built: run `npm run build`');
    else sendAdminProblem(ar, 'FAULTLINE_ADMIN_NOT_FOUND', `no console asset "${name}"`);
  };
  return [
    route('GET', '/', false, (ar) => serve(ar, 'index.html')),
    // The page has one address, `/`; `/console/` is where people try first.
    route('GET', '/console', false, (ar) => {
      ar.req.resume();
      ar.res.writeHead(302, { location: '/', 'content-length': '0', 'cache-control': 'no-store' }).end();
    }),
    route('GET', '/console/assets/:name', false, (ar) => serve(ar, name(ar))),
    route('GET', '/console/info', true, (ar) => {
      const proxy = policy.proxy();
      sendJson(ar, 200, {
        upstream: policy.upstream.href,
        proxy: proxy === null ? null : { host: proxy.host, port: proxy.port },
        inspectAnyHost: policy.anyHost,
        inspectTargets: policy.anyHost ? null : allowedTargets(policy),
      });
    }),
    // Loaded on first use: a faultline whose inspector nobody runs never loads it.
    route('POST', '/console/inspect', true, async (ar) => (await import('./inspect-route.js')).inspectRoute(ar, policy)),
  ];
}

function name(ar: AdminRequest): string {
  const n = ar.segments[2] ?? '';
  // index.html is served at / only, so the page has one address.
  return n === 'index.html' ? '' : n;
}

function hostPort(address: AddressInfo | string | null): HostPort | null {
  return address === null || typeof address === 'string' ? null : { host: address.address, port: address.port };
}
