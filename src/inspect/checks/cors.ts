import { finding } from '../catalogue.js';
import { headerValue, headerValues, listMembers } from '../headers.js';
import type { Finding } from '../types.js';
import { isError, type Check } from './check.js';

/** A serialized origin (RFC 6454 §6.2): scheme://host[:port], nothing after. */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/(?:\[[0-9a-f:.]+\]|[^/:?#\s,]+)(?::\d{1,5})?$/i;

/**
 * Will a browser page see this response? Access-Control-Allow-Origin must be one value a browser
 * can match (Fetch standard, CORS check); an error hidden by missing CORS headers is found by
 * comparing with a success response of the same origin (the CORS probe, see cors-probe.ts).
 */
export const corsCheck: Check = {
  name: 'cors',
  ids: [
    'cors-missing-on-error',
    'cors-multiple-origins',
    'cors-allow-origin-invalid',
    'cors-allow-origin-null',
    'cors-wildcard-with-credentials',
    'cors-vary-missing',
  ],
  run({ exchange: { request, response }, corsProbe }): Finding[] {
    const { status, headers } = response;
    const values = headerValues(headers, 'access-control-allow-origin');
    if (values.length === 0) {
      if (
        !isError(status) ||
        corsProbe === null ||
        corsProbe.allowOrigin === null ||
        corsProbe.status === null ||
        corsProbe.status >= 400
      )
        return [];
      return [
        finding(
          'cors-missing-on-error',
          `${status} response has no Access-Control-Allow-Origin, but GET ${corsProbe.url} (${corsProbe.status}) has "${corsProbe.allowOrigin}"`,
        ),
      ];
    }
    const members = values.flatMap((v) => v.split(/[,\s]+/)).filter((m) => m !== '');
    if (values.length > 1 || members.length > 1) {
      return [finding('cors-multiple-origins', `Access-Control-Allow-Origin has ${members.length} values`, values.join(' | '))];
    }
    const allow = values[0]!.trim();
    const out: Finding[] = [];
    const credentials = headerValue(headers, 'access-control-allow-credentials')?.trim() === 'true';
    if (allow === '*') {
      if (credentials)
        out.push(
          finding('cors-wildcard-with-credentials', 'Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true'),
        );
      return out;
    }
    if (allow === 'null') return [finding('cors-allow-origin-null', 'Access-Control-Allow-Origin: null')];
    if (!ORIGIN.test(allow))
      return [finding('cors-allow-origin-invalid', `Access-Control-Allow-Origin "${allow}" is not an origin`, allow)];
    // An echo of the request's Origin depends on it, so caches must key on it (Fetch, "CORS protocol and HTTP caches").
    const origin = headerValue(request.headers, 'origin');
    const vary = listMembers(headers, 'vary');
    if (origin !== null && origin.trim() === allow && !vary.includes('origin') && !vary.includes('*')) {
      out.push(finding('cors-vary-missing', `${status} response echoes origin "${allow}" without Vary: Origin`));
    }
    return out;
  },
};
