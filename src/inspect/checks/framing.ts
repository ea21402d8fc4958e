import { finding } from '../catalogue.js';
import { headerValues } from '../headers.js';
import type { Finding } from '../types.js';
import type { Check } from './check.js';

const DIGITS = /^\d+$/;

/** Content-Length values as one number, or why they are not (RFC 9110 §8.6 allows a list of identical values). */
function lengthProblem(values: readonly string[]): string | null {
  const members = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  const bad = members.find((m) => !DIGITS.test(m));
  if (bad !== undefined) return `Content-Length "${bad}" is not a decimal number`;
  if (members.some((m) => m !== members[0])) return `Content-Length has different values: ${values.join(', ')}`;
  return null;
}

/** Does the message end where its framing says (RFC 9112 §6)? Judged from the raw bytes. */
export const framingCheck: Check = {
  name: 'framing',
  ids: [
    'header-syntax-invalid',
    'transfer-encoding-with-content-length',
    'transfer-encoding-invalid',
    'content-length-invalid',
    'chunked-encoding-invalid',
    'content-length-mismatch',
    'body-on-bodiless-response',
    'framing-missing',
    'framing-header-on-no-content',
  ],
  run({ exchange: { request, response } }): Finding[] {
    const { status, headers, framing, httpVersion } = response;
    const out: Finding[] = [];
    if (framing.headSyntax.length > 0) {
      out.push(finding('header-syntax-invalid', `the response head has ${framing.headSyntax.join('; ')}`));
    }
    const te = headerValues(headers, 'transfer-encoding');
    const cl = headerValues(headers, 'content-length');
    if (status === 204 || status < 200) {
      if (te.length > 0 || cl.length > 0) {
        const what = [te.length > 0 ? 'Transfer-Encoding' : '', cl.length > 0 ? `Content-Length: ${cl.join(', ')}` : ''];
        out.push(finding('framing-header-on-no-content', `${status} response carries ${what.filter(Boolean).join(' and ')}`));
      }
    } else if (te.length > 0 && framing.kind !== 'none') {
      if (cl.length > 0) {
        out.push(
          finding(
            'transfer-encoding-with-content-length',
            `Transfer-Encoding: ${te.join(', ')} together with Content-Length: ${cl.join(', ')}`,
          ),
        );
      }
      const codings = te.flatMap((v) => v.split(',')).map((c) => c.trim().toLowerCase());
      const problem =
        httpVersion === '1.0'
          ? 'in an HTTP/1.0 response'
          : codings[codings.length - 1] !== 'chunked'
            ? 'does not end in chunked, so the body ends only at connection close'
            : codings.filter((c) => c === 'chunked').length > 1
              ? 'applies chunked more than once'
              : codings.length > 1
                ? `applies ${codings.slice(0, -1).join(', ')}, which the request's TE did not offer`
                : null;
      if (problem !== null) out.push(finding('transfer-encoding-invalid', `Transfer-Encoding: ${te.join(', ')} ${problem}`));
    } else if (cl.length > 0) {
      const problem = lengthProblem(cl);
      if (problem !== null) out.push(finding('content-length-invalid', problem));
    }
    if (framing.kind === 'chunked' && framing.chunkError !== null) {
      out.push(finding('chunked-encoding-invalid', `chunked body: ${framing.chunkError}`));
    }
    if (framing.kind === 'none' && framing.extraBytes > 0) {
      const what = request.method === 'HEAD' ? `${status} response to HEAD` : `${status} response`;
      out.push(
        finding(
          'body-on-bodiless-response',
          `${what} was followed by ${framing.extraBytes} bytes of body`,
          response.text.slice(0, 120),
        ),
      );
    }
    if (framing.kind === 'length' && !response.timedOut) {
      const declared = Number(cl[0]?.split(',')[0]?.trim());
      if (!response.complete) {
        out.push(
          finding(
            'content-length-mismatch',
            `Content-Length is ${declared} but the connection closed after ${response.bodyBytes} bytes of body`,
          ),
        );
      } else if (framing.extraBytes > 0) {
        out.push(
          finding(
            'content-length-mismatch',
            `Content-Length is ${declared} but the server sent ${declared + framing.extraBytes} bytes of body`,
          ),
        );
      }
    }
    if (framing.kind === 'chunked' && framing.chunkError === null && framing.extraBytes > 0) {
      out.push(finding('chunked-encoding-invalid', `${framing.extraBytes} bytes followed the last chunk`));
    }
    if (framing.kind === 'close' && response.timedOut && te.length === 0 && cl.length === 0) {
      out.push(
        finding(
          'framing-missing',
          `no Content-Length or chunked framing, and the connection was still open after ${response.bodyBytes} bytes`,
        ),
      );
    }
    return out;
  },
};
