import type {
  ProblemAnswer,
  QuotaListing,
  QuotaRow,
  RulePatch,
  RuleView,
  RulesListing,
  SessionCreated,
  SessionListing,
  SessionRequestBody,
  SessionView,
  VerifyAnswer,
} from './wire.js';

/*
 * `import { Faultline } from 'faultline/client'`: a typed client for faultline's admin API, for
 * test suites. Built on the global fetch (Node >= 18, browsers, Deno, Bun); no dependencies.
 *
 *   const fl = new Faultline({ admin: 'http://127.0.0.1:8081', token: process.env.FAULTLINE_ADMIN_TOKEN });
 *   await using s = await fl.session({ rules: [{ name: 'uploads-507', match: { method: 'PUT' }, fault: { status: 507 } }] });
 *   await fetch(url, { method: 'PUT', headers: { ...s.headers }, body });
 *   await s.verify({ 'uploads-507': 1 });   // throws FaultlineVerifyError when it did not fire
 */

export type * from './wire.js';

export interface FaultlineOptions {
  /** The admin listener: `http://127.0.0.1:8081` (or `127.0.0.1:8081`). */
  readonly admin: string;
  /** The admin token, when faultline runs with one. */
  readonly token?: string | null;
  /** Per call (default 10 s). */
  readonly timeoutMs?: number;
  /** A fetch to use instead of the global one. */
  readonly fetch?: typeof fetch;
}

/**
 * What rules should have done: `{ 'uploads-507': 1 }` (fired at least once), `{ name: { min: 3 } }`,
 * `{ name: { ratio: '10%±2%' } }`, or a list of names (each at least once).
 */
export type Expectations =
  readonly string[] | Readonly<Record<string, number | { readonly min?: number; readonly ratio?: string }>>;

/** The admin API answered with an error (problem+json): `code` is faultline's stable error code. */
export class FaultlineApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  readonly problems: NonNullable<ProblemAnswer['problems']>;

  constructor(status: number, detail: string, code: string | null, problems: ProblemAnswer['problems']) {
    super(detail);
    this.name = 'FaultlineApiError';
    this.status = status;
    this.code = code;
    this.problems = problems ?? [];
  }
}

/** A verify found rules that did not fire as expected; the message has one line per such rule. */
export class FaultlineVerifyError extends Error {
  readonly answer: VerifyAnswer;

  constructor(answer: VerifyAnswer) {
    super(
      answer.results
        .filter((r) => !r.ok)
        .map((r) => r.message)
        .join('\n'),
    );
    this.name = 'FaultlineVerifyError';
    this.answer = answer;
  }
}

/** One admin API call: JSON in, JSON out, problem+json → FaultlineApiError. */
type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

export class Faultline {
  private readonly call: Call;

  constructor(options: FaultlineOptions) {
    const text = /^https?:\/\//i.test(options.admin) ? options.admin : `http://${options.admin}`;
    this.call = transport(
      new URL(text).origin,
      options.token ?? null,
      options.timeoutMs ?? 10_000,
      options.fetch ?? globalThis.fetch,
    );
  }

  /** Start a session: faults only requests that carry `session.headers`. */
  async session(body: SessionRequestBody): Promise<FaultlineSession> {
    const created = await this.call<SessionCreated>('POST', '/sessions', body);
    return new FaultlineSession(this.call, created);
  }

  sessions(): Promise<SessionListing> {
    return this.call<SessionListing>('GET', '/sessions');
  }

  rules(): Promise<RulesListing> {
    return this.call<RulesListing>('GET', '/rules');
  }

  rule(name: string): Promise<RuleView> {
    return this.call<RuleView>('GET', `/rules/${encodeURIComponent(name)}`);
  }

  /** Enable a rule; with `for` (`5m`), it goes back to what its file says afterwards. */
  enable(name: string, options: { for?: string | number } = {}): Promise<RuleView> {
    return this.patch(name, { enabled: true, ...options });
  }

  disable(name: string, options: { for?: string | number } = {}): Promise<RuleView> {
    return this.patch(name, { enabled: false, ...options });
  }

  /** Change a rule at run time: `{ probability: '50%', for: '2m' }`. */
  set(name: string, patch: RulePatch): Promise<RuleView> {
    return this.patch(name, patch);
  }

  /** Quota usage per rule and key. */
  quotas(): Promise<QuotaListing> {
    return this.call<QuotaListing>('GET', '/quotas');
  }

  /** Set a key's usage (`'9MiB'`, or a count for a requests quota), e.g. to start a test near the limit. */
  quota(rule: string, key: string, used: string | number): Promise<QuotaRow> {
    return this.call<QuotaRow>('PUT', `/quotas/${encodeURIComponent(rule)}/${encodeURIComponent(key)}`, { used });
  }

  /** Verify global rules; throws FaultlineVerifyError when one did not fire as expected. */
  verify(expectations: Expectations): Promise<VerifyAnswer> {
    return verifyAt(this.call, '/verify', expectations);
  }

  private patch(name: string, patch: RulePatch): Promise<RuleView> {
    return this.call<RuleView>('PATCH', `/rules/${encodeURIComponent(name)}`, patch);
  }
}

/** One GET per rule (each with its own min/ratio), merged; throws FaultlineVerifyError unless all are ok. */
async function verifyAt(call: Call, path: string, expectations: Expectations): Promise<VerifyAnswer> {
  const entries = Array.isArray(expectations)
    ? (expectations as readonly string[]).map((name) => [name, 1] as const)
    : Object.entries(expectations as Readonly<Record<string, number | { min?: number; ratio?: string }>>);
  const answers = await Promise.all(
    entries.map(([rule, e]) => {
      const q = new URLSearchParams({ rule });
      if (typeof e === 'number') q.set('min', String(e));
      else {
        if (e.min !== undefined) q.set('min', String(e.min));
        if (e.ratio !== undefined) q.set('ratio', e.ratio);
      }
      return call<VerifyAnswer>('GET', `${path}?${q.toString()}`);
    }),
  );
  const answer: VerifyAnswer = { ok: answers.every((a) => a.ok), results: answers.flatMap((a) => a.results) };
  if (!answer.ok) throw new FaultlineVerifyError(answer);
  return answer;
}

function transport(base: string, token: string | null, timeoutMs: number, fetchFn: typeof fetch): Call {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetchFn(base + path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.ok && parsed !== undefined) return parsed as T;
    const problem = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<ProblemAnswer>;
    throw new FaultlineApiError(
      res.status,
      typeof problem.detail === 'string' ? problem.detail : `HTTP ${res.status} from ${method} ${path}`,
      typeof problem.code === 'string' ? problem.code : null,
      problem.problems,
    );
  };
}

/** One test's session: add `headers` to the requests it should fault, then `close()` (or `await using`). */
export class FaultlineSession {
  readonly id: string;
  /** `{ 'x-faultline-session': id }`: spread into each request's headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** The seed in force: pass it to a new session to replay the same decisions. */
  readonly seed: number;
  readonly expiresAt: string;
  private readonly call: Call;
  private closed = false;

  /** Made by `Faultline.session()`. */
  constructor(call: Call, created: SessionCreated) {
    this.call = call;
    this.id = created.id;
    this.headers = created.header;
    this.seed = created.seed;
    this.expiresAt = created.expiresAt;
  }

  /** The session's rules with their counters (matched, injected, active). */
  stats(): Promise<SessionView> {
    return this.call<SessionView>('GET', `/sessions/${encodeURIComponent(this.id)}`);
  }

  /** Throws FaultlineVerifyError (one line per rule) unless each rule fired as expected. */
  verify(expectations: Expectations): Promise<VerifyAnswer> {
    return verifyAt(this.call, `/sessions/${encodeURIComponent(this.id)}/verify`, expectations);
  }

  /** End the session (idempotent; an already expired session is not an error). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.call<SessionView>('DELETE', `/sessions/${encodeURIComponent(this.id)}`);
    } catch (err) {
      if (!(err instanceof FaultlineApiError && err.status === 404)) throw err;
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
