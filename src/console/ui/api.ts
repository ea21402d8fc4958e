/**
 * The admin API, as the console calls it: same routes, same validation as the CLI. A token, once
 * given, is kept for this tab (sessionStorage) and sent as a bearer header. Every refusal comes
 * back as an ApiError carrying the API's own problem+json, so the page can show it as it is.
 */

export interface Problem {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly code: string | null;
  /** Which form field the problem is about, when the route says so (the inspector does). */
  readonly field: string | null;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail === '' ? `${problem.status} ${problem.title}` : problem.detail);
  }

  /** `401 FAULTLINE_ADMIN_UNAUTHORIZED: this admin route needs ...`: what is shown next to a field. */
  describe(): string {
    const p = this.problem;
    if (p.status === 0) return p.detail;
    return `${p.status} ${p.code ?? p.title}: ${p.detail}`;
  }
}

const KEY = 'faultline-admin-token';
let token: string | null = read();
const listeners: Array<(needed: boolean) => void> = [];

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function hasToken(): boolean {
  return token !== null;
}

export function setToken(value: string | null): void {
  token = value;
  try {
    if (value === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, value);
  } catch {
    // Storage disabled: the token lasts until the page is closed.
  }
}

/** Called with true when the API answered 401 (the token is missing or wrong). */
export function onTokenNeeded(fn: (needed: boolean) => void): void {
  listeners.push(fn);
}

/** One API call; resolves with the parsed JSON, rejects with ApiError. */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      cache: 'no-store',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new ApiError({
      status: 0,
      title: 'No answer',
      detail: `faultline's admin listener did not answer (${(err as Error).message})`,
      code: null,
      field: null,
    });
  }
  if (res.status === 401) for (const fn of listeners) fn(true);
  if (res.ok) return (await res.json()) as T;
  throw new ApiError(await problemOf(res));
}

/** GET a text resource (the Prometheus exposition). */
export async function getText(path: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(path, { cache: 'no-store' });
  } catch (err) {
    throw new ApiError({
      status: 0,
      title: 'No answer',
      detail: `faultline's admin listener did not answer (${(err as Error).message})`,
      code: null,
      field: null,
    });
  }
  if (!res.ok) throw new ApiError(await problemOf(res));
  return res.text();
}

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) json = parsed as Record<string, unknown>;
  } catch {
    json = { detail: text.slice(0, 300) };
  }
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    status: res.status,
    title: str(json.title) ?? res.statusText,
    detail: str(json.detail) ?? '',
    code: str(json.code),
    field: str(json.field),
  };
}

/** A path segment (rule names and quota keys go into URLs). */
export const seg = encodeURIComponent;
