import { finding } from '../catalogue.js';
import { isJsonType, isXmlType, mediaType } from '../headers.js';
import type { Finding } from '../types.js';
import { isError, type Check } from './check.js';

/** RFC 9457 §3 (JSON) and Appendix B (XML) problem details. */
const PROBLEM_TYPES = new Set(['application/problem+json', 'application/problem+xml']);

function parsesAsJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Does the error body say, in a form a program can read, what went wrong? */
export const contentCheck: Check = {
  name: 'content',
  ids: ['error-no-content-type', 'error-body-unstructured', 'error-not-problem-json'],
  run({ exchange: { request, response } }): Finding[] {
    const { status } = response;
    if (!isError(status) || request.method === 'HEAD') return [];
    if (response.bodyBytes === 0) {
      return [finding('error-body-unstructured', `${status} response has no body to say what went wrong`)];
    }
    const type = mediaType(response.headers);
    if (type === null) {
      return [finding('error-no-content-type', `${status} response has a ${response.bodyBytes}-byte body but no Content-Type`)];
    }
    if (isJsonType(type)) {
      // A truncated capture cannot be parsed; give it the benefit of the doubt.
      const parsed = response.bodyTruncated ? {} : parsesAsJson(response.text);
      if (parsed === undefined) {
        return [
          finding(
            'error-body-unstructured',
            `${status} response declares ${type} but its body is not valid JSON`,
            response.text.slice(0, 120),
          ),
        ];
      }
      if (type === 'application/problem+json') {
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return [];
        return [
          finding(
            'error-body-unstructured',
            `${status} response declares ${type} but its body is not a JSON object (RFC 9457 §3)`,
          ),
        ];
      }
      return [finding('error-not-problem-json', `${status} response is ${type}, not application/problem+json`)];
    }
    if (PROBLEM_TYPES.has(type)) return [];
    if (isXmlType(type)) return [finding('error-not-problem-json', `${status} response is ${type}, not problem details`)];
    return [finding('error-body-unstructured', `${status} response body is ${type}, not structured data`)];
  },
};
