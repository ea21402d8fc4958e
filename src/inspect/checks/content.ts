import { finding } from '../catalogue.js';
import { isJsonType, isXmlType, mediaType } from '../headers.js';
import type { Finding } from '../types.js';
import { isError, type Check } from './check.js';

/** RFC 9457 §3 (JSON) and Appendix B (XML) problem details. */
const PROBLEM_TYPES = new Set(['application/problem+json', 'application/problem+xml']);

/** Does the error body say, in a form a program can read, what went wrong? */
export const contentCheck: Check = {
  name: 'content',
  ids: ['error-no-content-type', 'error-body-empty', 'error-body-unstructured', 'error-not-problem-json'],
  run({ exchange: { request, response } }): Finding[] {
    const { status } = response;
    if (!isError(status) || request.method === 'HEAD' || response.framing.kind === 'none') return [];
    if (response.bodyBytes === 0) return [finding('error-body-empty', `${status} response has no body to say what went wrong`)];
    const type = mediaType(response.headers);
    if (type === null) {
      return [finding('error-no-content-type', `${status} response has a ${response.bodyBytes}-byte body but no Content-Type`)];
    }
    if (PROBLEM_TYPES.has(type)) return [];
    if (isJsonType(type) || isXmlType(type))
      return [finding('error-not-problem-json', `${status} response is ${type}, not problem details`)];
    return [finding('error-body-unstructured', `${status} response body is ${type}, not structured data`)];
  },
};
