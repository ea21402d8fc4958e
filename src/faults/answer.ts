import type { OutgoingHttpHeaders } from 'node:http';
import { renderDialect } from '../http/dialects/index.js';
import { GRPC_CODES, RESOURCE_EXHAUSTED, grpcResponseType, grpcStatusHeaders, isGrpcContentType } from '../http/dialects/grpc.js';
import { reasonPhrase, statusForbidsBody } from '../http/problem.js';
import type { FaultSpec, GrpcAnswer, Rule, StatusAnswer } from '../scenario/types.js';
import type { Answer, Why } from './plan.js';

/** What an answer needs to know about its request. */
interface AnswerTarget {
  readonly id: string;
  readonly path: string;
  readonly method: string;
  /** The marker header's value (a rule name or `header`), or null without a marker. */
  readonly marker: string | null;
  /** When the request arrived (ms since the epoch), for the vendors that date their errors. */
  readonly startedAt: number;
  /** The request's head: its `content-type` says whether it is a gRPC call. */
  readonly req: { readonly headers: { readonly 'content-type'?: string | undefined } };
}

/** An answer ready for the wire. */
interface RenderedAnswer {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  /** null: no body (HEAD, 204, 304, a gRPC status: its Trailers-Only response is one HEADERS frame). */
  readonly payload: string | null;
}

/** Why a fault that is not a quota's answers: which rule (or the request header) asked for it. */
export function injectedWhy(rule: Rule | null, fault: FaultSpec): Why {
  const action = fault.action;
  if (action === null || (action.kind !== 'status' && action.kind !== 'replaceStatus' && action.kind !== 'grpc'))
    return NO_ANSWER;
  const by = rule === null ? 'the x-faultline-fault request header' : `rule "${rule.name}"`;
  const what =
    'status' in action ? reasonPhrase(action.status) : (GRPC_CODES[action.grpcStatus] ?? `gRPC status ${action.grpcStatus}`);
  return { detail: `${what}: injected by faultline (${by}).`, quota: null };
}

/** For faults that never answer with a status of their own. */
const NO_ANSWER: Why = { detail: 'Injected by faultline.', quota: null };

/**
 * An answer as a real server would give it: in the answer's dialect (RFC 9457 problem+json by
 * default, or a vendor's own error body and headers, src/http/dialects/) with the quota's figures
 * where the format has room, `Cache-Control: no-store`, the request id, `Retry-After` when
 * configured, the marker, no body for HEAD/204/304.
 */
export function renderAnswer(answer: Answer, to: AnswerTarget): RenderedAnswer {
  const spec = answer.spec;
  const requestType = to.req.headers['content-type'];
  if ('grpcStatus' in spec) return renderGrpc(spec, answer.why, to, requestType);
  // gRPC's 507: a quota refusing a gRPC call answers RESOURCE_EXHAUSTED, as a gRPC server out of quota does.
  if (answer.why.quota !== null && isGrpcContentType(requestType))
    return renderGrpc(quotaGrpc(spec), answer.why, to, requestType);
  const status = spec.status;
  let contentType: string;
  let payload: string;
  const headers: OutgoingHttpHeaders = { 'cache-control': 'no-store', 'x-request-id': to.id };
  if (spec.body === null) {
    const { dialect } = spec;
    const built = renderDialect(dialect.format, {
      code: dialect.code,
      message: dialect.message,
      status,
      requestId: to.id,
      resource: to.path,
      detail: answer.why.detail,
      quota: answer.why.quota,
      now: to.startedAt,
    });
    contentType = built.contentType;
    payload = built.body;
    for (const [name, value] of built.headers) headers[name] = value;
  } else {
    contentType = spec.body.contentType;
    payload = spec.body.hasPlaceholders ? renderTemplate(spec.body.text, to, contentType.includes('json')) : spec.body.text;
  }
  const bodiless = statusForbidsBody(status);
  if (!bodiless) {
    headers['content-type'] = contentType;
    headers['content-length'] = Buffer.byteLength(payload);
  }
  if (spec.retryAfter !== null) headers['retry-after'] = spec.retryAfter;
  if (to.marker !== null) headers['x-faultline-fault'] = to.marker;
  for (const [name, value] of spec.headers) headers[name.toLowerCase()] = value;
  return { status, headers, payload: bodiless || to.method === 'HEAD' ? null : payload };
}

/** A quota's answer to a gRPC call: RESOURCE_EXHAUSTED, with the rule's message or the quota's sentence. */
function quotaGrpc(spec: StatusAnswer): GrpcAnswer {
  return { grpcStatus: RESOURCE_EXHAUSTED, message: spec.dialect.message, details: null };
}

/**
 * A gRPC status as a gRPC server fails a call: HTTP 200, the request's gRPC content type, and the
 * status in the head of a Trailers-Only response (no body; on HTTP/2 one HEADERS frame with
 * END_STREAM). A quota's answer without a message of its own carries the quota's sentence.
 */
function renderGrpc(spec: GrpcAnswer, why: Why, to: AnswerTarget, requestType: string | undefined): RenderedAnswer {
  const message = spec.message ?? (why.quota !== null ? why.detail : null);
  const headers: OutgoingHttpHeaders = { 'content-type': grpcResponseType(requestType), 'x-request-id': to.id };
  for (const [name, value] of grpcStatusHeaders(spec.grpcStatus, message, spec.details)) headers[name] = value;
  if (to.marker !== null) headers['x-faultline-fault'] = to.marker;
  return { status: 200, headers, payload: null };
}

const PLACEHOLDER = /\{(requestId|method|path)\}/g;

/** Fill the placeholders; inside a JSON body the values are escaped as JSON string content. */
function renderTemplate(text: string, to: AnswerTarget, json: boolean): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = name === 'requestId' ? to.id : name === 'method' ? to.method : to.path;
    return json ? JSON.stringify(value).slice(1, -1) : value;
  });
}
