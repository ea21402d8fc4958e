/**
 * What an injected answer's body builders get and give. Pure data: the builders read no clock and no
 * request, so each preset's bytes can be asserted exactly.
 */

/** A quota's state when it refused a request: what is stored, what other requests hold, what this one asked. */
export interface QuotaFigures {
  readonly rule: string;
  /** The key as shown (a credential-derived key is already a hash here). */
  readonly key: string;
  readonly limit: number;
  /** Committed usage: bytes (or requests) the backend holds. */
  readonly stored: number;
  /** Reserved by other requests still in flight (not this request's own reservation). */
  readonly pending: number;
  /** What this request needs (its whole size, including any part it had already reserved). */
  readonly requested: number;
  readonly unit: 'bytes' | 'requests';
}

export interface DialectInput {
  readonly status: number;
  /** The vendor error code (`XMinioStorageFull`) or null for the format's default. */
  readonly code: string | null;
  /** The vendor message, or null for the format's default. */
  readonly message: string | null;
  readonly requestId: string;
  /** The request path (URL path without the query). */
  readonly resource: string;
  /** faultline's own sentence about the fault (the problem+json `detail`). */
  readonly detail: string;
  readonly quota: QuotaFigures | null;
  /** Milliseconds since the epoch, for the vendors that put a time in their body. */
  readonly now: number;
}

export type Headers = readonly (readonly [string, string])[];

export interface DialectBody {
  readonly contentType: string;
  /** Vendor headers (request ids, error codes), lower-case names. */
  readonly headers: Headers;
  readonly body: string;
}

export type FormatBuilder = (input: DialectInput) => DialectBody;

/** Free space left for this request: what neither stored objects nor other requests take. */
export function freeOf(q: QuotaFigures): number {
  return Math.max(0, q.limit - q.stored - q.pending);
}

/** `InsufficientStorage` from 507's reason phrase: the default code of the XML formats. */
export function pascalCode(reason: string): string {
  return reason.replace(/[^A-Za-z0-9 ]/g, '').replace(/(?:^| )(\w)/g, (_, c: string) => c.toUpperCase());
}

/** `insufficientStorage`: the default code (reason) of the JSON formats. */
export function camelCode(reason: string): string {
  const p = pascalCode(reason);
  return p.charAt(0).toLowerCase() + p.slice(1);
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escape text for an XML element or attribute. */
export function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] as string);
}
