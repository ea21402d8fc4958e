/**
 * The one error catalogue. Every error faultline raises or answers with has a stable `code`
 * (users match on it; docs/errors.md lists every one and a test keeps that list in step) and, where an
 * HTTP answer follows from it, the status that answer carries (0: none). The problem+json `title`
 * is the status's reason phrase (src/http/problem.ts), so the catalogue holds no title of its own.
 */
export const ERROR_CODES = {
  FAULTLINE_CONFIG_INVALID: { status: 0 },
  FAULTLINE_USAGE: { status: 0 },
  FAULTLINE_LISTEN_FAILED: { status: 0 },
  FAULTLINE_SCENARIO_INVALID: { status: 422 },
  FAULTLINE_UPSTREAM_UNREACHABLE: { status: 502 },
  FAULTLINE_UPSTREAM_RESET: { status: 502 },
  FAULTLINE_UPSTREAM_TIMEOUT: { status: 504 },
  FAULTLINE_ABSOLUTE_FORM_REFUSED: { status: 400 },
  FAULTLINE_CONNECT_REFUSED: { status: 405 },
  FAULTLINE_BAD_FAULT_HEADER: { status: 400 },
  FAULTLINE_BAD_REQUEST: { status: 400 },
  FAULTLINE_REQUEST_TIMEOUT: { status: 408 },
  FAULTLINE_URI_TOO_LONG: { status: 414 },
  FAULTLINE_HEADERS_TOO_LARGE: { status: 431 },
  FAULTLINE_FAULT_INJECTED: { status: 0 },
  FAULTLINE_QUOTA_EXCEEDED: { status: 507 },
  FAULTLINE_STORE_UNAVAILABLE: { status: 503 },
  FAULTLINE_AMBIGUOUS_QUOTA_KEY: { status: 400 },
  FAULTLINE_ADMIN_UNAUTHORIZED: { status: 401 },
  FAULTLINE_ADMIN_NOT_FOUND: { status: 404 },
  FAULTLINE_ADMIN_BAD_REQUEST: { status: 400 },
  FAULTLINE_ADMIN_FORBIDDEN_TARGET: { status: 403 },
  FAULTLINE_METHOD_NOT_ALLOWED: { status: 405 },
  FAULTLINE_PAYLOAD_TOO_LARGE: { status: 413 },
  FAULTLINE_SESSION_LIMIT: { status: 429 },
  FAULTLINE_INTERNAL: { status: 500 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base error: a stable `code`, a message that says what was wrong and where, and a `cause`. */
export class FaultlineError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FaultlineError';
    this.code = code;
    this.status = options?.status ?? ERROR_CODES[code].status;
  }
}

/** A problem found in a scenario or config file, positioned as `file:line:column`. */
export interface Problem {
  file: string;
  line: number;
  column: number;
  /** Dotted path inside the document, e.g. `rules[2].fault.status`; empty for the whole file. */
  path: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`;
}

/** A problem that does not stop loading: `file:line:column: warning: path: message`. */
export function formatWarning(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: warning: ${p.path === '' ? '' : `${p.path}: `}${p.message}`;
}

/** Scenario validation failed: carries every problem found, not just the first. */
export class ScenarioError extends FaultlineError {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super('FAULTLINE_SCENARIO_INVALID', problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

/** What was thrown, as an Error (a rejected promise may carry anything). */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
