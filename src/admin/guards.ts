import type { Gate } from '../guard/gate.js';
import { reportMarkdown } from '../guard/report.js';
import { parseDuration } from '../scenario/units.js';
import { readBody } from './body.js';
import { route, sendAdminProblem, sendJson, type AdminRequest, type AdminRoute } from './router.js';

export interface GuardsAdmin {
  readonly gate: Gate;
  readonly now: () => number;
}

/**
 * `GET /guards`, `POST /resume`, `POST /heartbeat`, `GET /report`: the stop conditions and the
 * experiment report (docs/guards.md).
 */
export function guardRoutes(api: GuardsAdmin): AdminRoute[] {
  return [
    route('GET', '/guards', true, (ar) => sendJson(ar, 200, api.gate.status())),
    route('POST', '/resume', true, (ar) => resume(api, ar)),
    route('POST', '/heartbeat', true, (ar) => {
      ar.req.resume();
      const until = api.gate.heartbeat();
      if (until === null) sendJson(ar, 200, { required: false, live: true });
      else sendJson(ar, 200, { required: true, live: true, expiresAt: new Date(until).toISOString() });
    }),
    route('GET', '/report', true, (ar) => report(api, ar)),
  ];
}

async function resume(api: GuardsAdmin, ar: AdminRequest): Promise<void> {
  const text = await readBody(ar);
  if (text === null) return;
  let name: string | null = null;
  if (text.trim() !== '') {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      return sendAdminProblem(ar, 'FAULTLINE_ADMIN_BAD_REQUEST', `the body is not JSON: ${(err as Error).message}`);
    }
    const guard = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).guard : 0;
    const keys = typeof body === 'object' && body !== null ? Object.keys(body) : [];
    if ((guard !== undefined && typeof guard !== 'string') || keys.some((k) => k !== 'guard'))
      return sendAdminProblem(
        ar,
        'FAULTLINE_ADMIN_BAD_REQUEST',
        'the body must be empty (resume every guard) or { "guard": NAME }',
      );
    name = guard ?? null;
  }
  if (name !== null && !api.gate.hasGuard(name))
    return sendAdminProblem(ar, 'FAULTLINE_ADMIN_NOT_FOUND', `no guard named "${name}"`);
  const resumed = api.gate.resume(name, `admin API (${ar.id})`);
  sendJson(ar, 200, { resumed });
}

function report(api: GuardsAdmin, ar: AdminRequest): void {
  const sinceText = ar.query.get('since');
  const format = ar.query.get('format') ?? 'json';
  if (format !== 'json' && format !== 'md')
    return sendAdminProblem(ar, 'FAULTLINE_ADMIN_BAD_REQUEST', `format: expected md or json, got "${format}"`);
  let since = 0;
  if (sinceText !== null) {
    try {
      since = api.now() - parseDuration(sinceText);
    } catch (err) {
      return sendAdminProblem(ar, 'FAULTLINE_ADMIN_BAD_REQUEST', `since: ${(err as Error).message}`);
    }
  }
  const r = api.gate.report(since);
  if (format === 'json') return sendJson(ar, 200, r);
  const text = reportMarkdown(r);
  ar.res.writeHead(200, {
    'content-type': 'text/markdown; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-request-id': ar.id,
  });
  ar.res.end(ar.method === 'HEAD' ? undefined : text);
}
