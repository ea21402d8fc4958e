import { TextDecoder } from 'node:util';
import { finding } from '../catalogue.js';
import { headerValue, headerValues, isJsonType } from '../headers.js';
import { parseMediaType } from '../media-type.js';
import type { ExchangeResponse, Finding } from '../types.js';
import type { Check } from './check.js';

/** WHATWG labels TextDecoder knows, for charsets that are not simply single-byte. */
const LATIN1 = new Set(['iso-8859-1', 'latin1', 'l1', 'windows-1252', 'cp1252', 'us-ascii', 'ascii']);
const META_CHARSET = /<meta[^>]{0,200}charset\s*=/i;
const XML_ENCODING = /^\s*<\?xml[^>]{0,100}encoding\s*=/;

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function nonAscii(bytes: Buffer): boolean {
  for (const b of bytes) if (b > 0x7f) return true;
  return false;
}

/** Bytes that fail a strict decode, or null. A capture cut mid-character is not held against it. */
function undecodable(bytes: Buffer, charset: string, truncated: boolean): string | null {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    return `charset "${charset}" is not one recipients know`;
  }
  try {
    decoder.decode(bytes, { stream: truncated });
    return null;
  } catch {
    return `the body is not valid ${charset}`;
  }
}

/** Does the charset fit the bytes (RFC 9110 §8.3.2)? */
function charsetFindings(r: ExchangeResponse, type: string, params: Map<string, string>): Finding[] {
  const bytes = r.content;
  const charset = params.get('charset')?.toLowerCase();
  const truncated = r.bodyTruncated || !r.complete;
  if (isJsonType(type)) {
    // RFC 8259 §8.1: JSON exchanged between systems is UTF-8; a charset parameter has no meaning.
    const bad = undecodable(bytes, 'utf-8', truncated);
    return bad === null ? [] : [finding('charset-mismatch', `${type} body is not UTF-8 (RFC 8259 §8.1)`)];
  }
  if (charset === undefined) {
    if (!type.startsWith('text/') || !nonAscii(bytes)) return [];
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return [];
    const head = bytes.subarray(0, 1024).toString('latin1');
    if (type === 'text/html' && META_CHARSET.test(head)) return [];
    if (type === 'text/xml' && XML_ENCODING.test(head)) return [];
    return [finding('charset-missing', `${type} body has non-ASCII bytes but Content-Type has no charset`)];
  }
  if (LATIN1.has(charset) && charset !== 'us-ascii' && charset !== 'ascii') {
    // Every byte is valid Latin-1; multi-byte UTF-8 sequences that decode cleanly are mislabelled UTF-8.
    if (nonAscii(bytes) && undecodable(bytes, 'utf-8', truncated) === null) {
      return [finding('charset-mismatch', `the body is declared ${charset} but is UTF-8 text (shows as mojibake)`)];
    }
    return [];
  }
  if (charset === 'us-ascii' || charset === 'ascii') {
    return nonAscii(bytes) ? [finding('charset-mismatch', `the body is declared ${charset} but has bytes above 0x7F`)] : [];
  }
  const bad = undecodable(bytes, charset, truncated);
  return bad === null ? [] : [finding('charset-mismatch', bad)];
}

/** RFC 9457 §3.1: member types; §3.1.2: status repeats the status line. */
function problemFindings(status: number, value: unknown): Finding[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [finding('body-not-json', 'application/problem+json body is not a JSON object (RFC 9457 §3)')];
  }
  const o = value as Record<string, unknown>;
  const out: Finding[] = [];
  const wrong = ['type', 'title', 'detail', 'instance'].filter((k) => k in o && typeof o[k] !== 'string');
  if ('status' in o && !Number.isInteger(o.status)) wrong.push('status');
  if (wrong.length > 0)
    out.push(
      finding('problem-member-invalid', `problem member${wrong.length > 1 ? 's' : ''} ${wrong.join(', ')} of the wrong type`),
    );
  if (Number.isInteger(o.status) && o.status !== status) {
    out.push(finding('problem-status-mismatch', `problem "status": ${String(o.status)} but the response status is ${status}`));
  }
  return out;
}

/** Is the body what its Content-Type says, in the charset it says? Any status. */
export const bodyCheck: Check = {
  name: 'body',
  ids: [
    'body-not-json',
    'body-json-mislabelled',
    'charset-missing',
    'charset-mismatch',
    'problem-status-mismatch',
    'problem-member-invalid',
  ],
  run({ exchange: { response } }): Finding[] {
    const field = headerValues(response.headers, 'content-type')[0];
    if (field === undefined || response.framing.kind === 'none' || response.bodyBytes === 0 || response.codingError !== null)
      return [];
    // A transfer coding other than chunked leaves the body still coded: nothing to judge.
    const te = headerValue(response.headers, 'transfer-encoding');
    if (te !== null && te.split(',').some((c) => c.trim().toLowerCase() !== 'chunked')) return [];
    const { type, params, invalid } = parseMediaType(field);
    if (invalid !== null && !type.includes('/')) return [];
    const out = charsetFindings(response, type, params);
    const whole = !response.bodyTruncated && response.complete;
    if (isJsonType(type)) {
      if (!whole) return out;
      const parsed = parseJson(response.text);
      if (!parsed.ok)
        return [
          ...out,
          finding('body-not-json', `the body is labelled ${type} but is not valid JSON`, response.text.slice(0, 120)),
        ];
      if (type === 'application/problem+json') out.push(...problemFindings(response.status, parsed.value));
    } else if ((type === 'text/plain' || type === 'text/html') && whole) {
      const t = response.text.trim();
      if ((t.startsWith('{') || t.startsWith('[')) && parseJson(t).ok) {
        out.push(finding('body-json-mislabelled', `the body is JSON but labelled ${type}`, t.slice(0, 120)));
      }
    }
    return out;
  },
};
