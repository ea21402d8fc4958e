import type { RuleSetDiff } from '../admin/rule-diff.js';
import type { QuotaListing, QuotaRow, RulePatch, RuleView, RulesListing, VerifyAnswer } from '../client/wire.js';

export type { QuotaRow } from '../client/wire.js';
import type { Problem } from '../errors.js';
import { formatHostPort } from '../config/settings.js';
import { toHostPort } from '../config/values.js';

/** Where the admin API is and how to authenticate; from flags, else env, else the default. */
export interface AdminTarget {
  /** e.g. `http://127.0.0.1:8081` (no trailing slash). */
  readonly base: string;
  readonly token: string | null;
}

export const DEFAULT_ADMIN = '127.0.0.1:8081';

/** The API answered with an error (a problem+json body, when it sent one). */
export class AdminApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  readonly problems: readonly Problem[];

  constructor(status: number, detail: string, code: string | null, problems: readonly Problem[]) {
    super(detail);
    this.name = 'AdminApiError';
    this.status = status;
    this.code = code;
    this.problems = problems;
  }
}

/** No answer at all: nothing listens there, a timeout, a bad address. */
export class AdminUnreachableError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'AdminUnreachableError';
  }
}

/** `HOST:PORT` (or an http:// URL) → the API's base URL; throws a plain Error with a usage message. */
export function adminBase(address: string): string {
  const expected = `expected HOST:PORT (e.g. ${DEFAULT_ADMIN}), got "${address}"`;
  if (/^https?:\/\//i.test(address)) {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      throw new Error(expected);
    }
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '') throw new Error(expected);
    return url.origin;
  }
  let at;
  try {
    at = toHostPort(address);
  } catch {
    throw new Error(expected);
  }
  if (at.port === 0) throw new Error(`${expected}: port 0 is where faultline picks a free port, not an address to call`);
  // A listen address is not a destination: 0.0.0.0 / :: mean "this machine".
  const host = at.host === '0.0.0.0' || at.host === '::' ? '127.0.0.1' : at.host;
  return `http://${formatHostPort({ host, port: at.port })}`;
}

export interface ReloadAnswer {
  readonly ok: boolean;
  readonly rules: number;
  readonly changes: RuleSetDiff | null;
  /** Formatted like `faultline validate` prints them (absent from older servers). */
  readonly warnings?: readonly string[];
}

/** A small client for faultline's admin API (global fetch; 10 s per call). */
export class AdminClient {
  private readonly target: AdminTarget;

  constructor(target: AdminTarget) {
    this.target = target;
  }

  rules(): Promise<RulesListing> {
    return this.call<RulesListing>('GET', '/rules');
  }

  patchRule(name: string, patch: RulePatch): Promise<RuleView> {
    return this.call<RuleView>('PATCH', `/rules/${encodeURIComponent(name)}`, JSON.stringify(patch));
  }

  /** `GET /verify?…` (global rules) or `GET /sessions/:id/verify?…`. */
  verify(query: URLSearchParams, session: string | null): Promise<VerifyAnswer> {
    const path = session === null ? '/verify' : `/sessions/${encodeURIComponent(session)}/verify`;
    return this.call<VerifyAnswer>('GET', `${path}?${query.toString()}`);
  }

  reload(): Promise<ReloadAnswer> {
    return this.call<ReloadAnswer>('POST', '/reload');
  }

  quotas(): Promise<QuotaListing> {
    return this.call<QuotaListing>('GET', '/quotas');
  }

  setQuota(rule: string, key: string, used: string): Promise<QuotaRow> {
    return this.call<QuotaRow>('PUT', `/quotas/${encodeURIComponent(rule)}/${encodeURIComponent(key)}`, JSON.stringify({ used }));
  }

  resetQuota(rule?: string, key?: string): Promise<{ reset: number }> {
    const path = ['/quotas', rule, key]
      .filter((p): p is string => p !== undefined)
      .map((p, i) => (i === 0 ? p : encodeURIComponent(p)));
    return this.call<{ reset: number }>('DELETE', path.join('/'));
  }

  /** Resume the rules of one tripped guard, or of every tripped guard. */
  resume(guard?: string): Promise<{ resumed: string[] }> {
    return this.call<{ resumed: string[] }>('POST', '/resume', guard === undefined ? undefined : JSON.stringify({ guard }));
  }

  heartbeat(): Promise<{ required: boolean; live: boolean; expiresAt?: string }> {
    return this.call('POST', '/heartbeat');
  }

  guards(): Promise<Record<string, unknown>> {
    return this.call('GET', '/guards');
  }

  /** The experiment report: Markdown text, or the JSON answer (as text, pretty-printed by the API). */
  report(since: string | null, format: 'md' | 'json'): Promise<string> {
    const query = new URLSearchParams({ format });
    if (since !== null) query.set('since', since);
    return this.call<string>('GET', `/report?${query.toString()}`, undefined, true);
  }

  private async call<T>(method: string, path: string, body?: string, asText = false): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.target.token !== null) headers.authorization = `Bearer ${this.target.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.target.base + path, { method, headers, body: body ?? null, signal: AbortSignal.timeout(10_000) });
      text = await res.text();
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = unreachableReason(cause?.code, this.target.base) ?? cause?.message ?? (err as Error).message;
      throw new AdminUnreachableError(
        `cannot reach the admin API at ${this.target.base}: ${why} (is faultline running? see --admin / FAULTLINE_ADMIN)`,
        err,
      );
    }
    // A text answer (the Markdown report) is returned as it came.
    if (res.ok && asText) return text as T;
    const parsed = parseJson(text);
    if (res.ok) {
      if (parsed === undefined)
        throw new AdminApiError(res.status, `the admin API at ${this.target.base} did not answer with JSON`, null, []);
      return parsed as T;
    }
    const problem =
      typeof parsed === 'object' && parsed !== null ? (parsed as { detail?: unknown; code?: unknown; problems?: unknown }) : {};
    const detail = typeof problem.detail === 'string' ? problem.detail : `HTTP ${res.status} from ${this.target.base}${path}`;
    const problems = Array.isArray(problem.problems) ? (problem.problems as Problem[]) : [];
    throw new AdminApiError(res.status, detail, typeof problem.code === 'string' ? problem.code : null, problems);
  }
}

/** The usual reasons, in words. */
function unreachableReason(code: string | undefined, base: string): string | null {
  if (code === 'ECONNREFUSED') return 'connection refused (nothing listens there)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `no such host "${new URL(base).hostname}"`;
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return 'no answer (timed out)';
  return code ?? null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
