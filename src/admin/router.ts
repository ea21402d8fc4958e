import type { IncomingMessage, ServerResponse } from 'node:http';
import { problemFor, sendProblem } from '../http/problem.js';
import { requestIdOf } from '../proxy/request-id.js';
import type { ErrorCode } from '../errors.js';

/** One admin request, parsed once. */
export interface AdminRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly path: string;
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly id: string;
}

export type AdminHandler = (ar: AdminRequest) => void | Promise<void>;

export interface AdminRoute {
  readonly method: string;
  /** Segments; `:name` matches any one segment, a trailing `*` the rest. */
  readonly pattern: readonly string[];
  /** Needs the admin token (when one is set): every route but health, readiness and metrics. */
  readonly needsToken: boolean;
  readonly handler: AdminHandler;
}

/** A route; `needsToken` false only for what probes and scrapers call (health, readiness, metrics). */
export function route(method: string, path: string, needsToken: boolean, handler: AdminHandler): AdminRoute {
  return { method, pattern: path.split('/').filter((p) => p !== ''), needsToken, handler };
}

export function matchRoute(
  routes: readonly AdminRoute[],
  method: string,
  segments: readonly string[],
): { route: AdminRoute | null; allowed: string[] } {
  const allowed: string[] = [];
  for (const r of routes) {
    if (!patternMatches(r.pattern, segments)) continue;
    if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return { route: r, allowed };
    allowed.push(r.method);
  }
  return { route: null, allowed };
}

function patternMatches(pattern: readonly string[], segments: readonly string[]): boolean {
  if (pattern[pattern.length - 1] === '*') {
    if (segments.length < pattern.length - 1) return false;
  } else if (pattern.length !== segments.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    if (p === '*') return true;
    if (p.startsWith(':')) continue;
    if (p !== segments[i]) return false;
  }
  return true;
}

export function parseAdminRequest(req: IncomingMessage, res: ServerResponse): AdminRequest {
  const url = new URL(req.url ?? '/', 'http://admin.invalid');
  return {
    req,
    res,
    method: req.method ?? 'GET',
    path: url.pathname,
    segments: url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeSegment),
    query: url.searchParams,
    id: requestIdOf(req),
  };
}

/** A malformed escape (`%E0%A4%A`) stays as written: it then matches no rule, rather than throwing. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function sendJson(ar: AdminRequest, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2) + '\n';
  ar.res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-request-id': ar.id,
  });
  ar.res.end(ar.method === 'HEAD' ? undefined : text);
}

export function sendAdminProblem(
  ar: AdminRequest,
  code: ErrorCode,
  detail: string,
  extra?: Record<string, unknown>,
  headers?: Record<string, string>,
): void {
  const body = problemFor(code, detail, ar.path, ar.id);
  sendProblem(ar.req, ar.res, extra === undefined ? body : { ...body, ...extra }, headers);
}
