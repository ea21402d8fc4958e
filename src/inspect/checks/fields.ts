import { parseCacheControl, type Directive } from '../cache-control.js';
import { finding } from '../catalogue.js';
import { isImfFixdate, parseHttpDate } from '../dates.js';
import { headerValues } from '../headers.js';
import { parseMediaType } from '../media-type.js';
import type { Finding, HeaderPair } from '../types.js';
import type { Check } from './check.js';

/** RFC 9110 §5.3: fields that are one value, not a list (framing fields are the framing check's). */
const SINGLETONS = [
  'location',
  'etag',
  'last-modified',
  'expires',
  'age',
  'content-location',
  'content-range',
  'access-control-allow-credentials',
  'access-control-max-age',
];
/** Fields only defined for requests. Accept-Encoding is left out: RFC 9110 §12.5.3 lets a 415 carry it. */
const REQUEST_ONLY = [
  'host',
  'user-agent',
  'cookie',
  'authorization',
  'proxy-authorization',
  'referer',
  'from',
  'expect',
  'max-forwards',
  'range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'if-range',
  'te',
  'origin',
  'accept',
  'accept-charset',
  'accept-language',
  'access-control-request-method',
  'access-control-request-headers',
  'upgrade-insecure-requests',
];
const WITH_DELTA = new Set(['max-age', 's-maxage', 'stale-while-revalidate', 'stale-if-error']);
const NO_ARGUMENT = new Set([
  'no-store',
  'must-revalidate',
  'proxy-revalidate',
  'must-understand',
  'public',
  'immutable',
  'no-transform',
]);
/** no-cache and private take an optional field-name list (RFC 9111 §5.2.2.4, §5.2.2.7). */
const OPTIONAL_LIST = new Set(['no-cache', 'private']);
/** Extensions seen in the wild that caches understand or harmlessly ignore. */
const KNOWN_EXTENSIONS = new Set(['pre-check', 'post-check']);

function cacheControlFindings(headers: readonly HeaderPair[]): Finding[] {
  const cc = parseCacheControl(headers);
  if (cc.list.length === 0 && cc.malformed.length === 0) return [];
  const out: Finding[] = [];
  const problems: string[] = cc.malformed.map((m) => `"${m}" is not a directive`);
  const unknown: string[] = [];
  for (const d of cc.list) {
    if (WITH_DELTA.has(d.name)) {
      if (d.value === null) problems.push(`${d.name} has no value`);
      else if (d.quoted) problems.push(`${d.name}="${d.value}" is quoted (send ${d.name}=${d.value})`);
      else if (!/^\d+$/.test(d.value)) problems.push(`${d.name}=${d.value} is not delta-seconds`);
    } else if (NO_ARGUMENT.has(d.name)) {
      if (d.value !== null) problems.push(`${d.name} takes no argument`);
    } else if (OPTIONAL_LIST.has(d.name)) {
      if (d.value !== null && !d.quoted) problems.push(`${d.name}=${d.value} must quote its field names`);
    } else if (!KNOWN_EXTENSIONS.has(d.name)) unknown.push(d.name);
  }
  for (const [name, first] of cc.map) {
    const other = cc.list.find((d) => d.name === name && d !== first && d.value !== first.value);
    if (other !== undefined) problems.push(`${name} is given twice with different values`);
  }
  if (problems.length > 0)
    out.push(
      finding(
        'cache-control-invalid',
        `Cache-Control: ${problems.join('; ')}`,
        headerValues(headers, 'cache-control').join(', '),
      ),
    );
  const conflict = conflicts(cc.map);
  if (conflict !== null)
    out.push(
      finding('cache-control-conflict', `Cache-Control has ${conflict}`, headerValues(headers, 'cache-control').join(', ')),
    );
  if (unknown.length > 0)
    out.push(
      finding(
        'cache-control-unknown-directive',
        `Cache-Control has unknown directive${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
      ),
    );
  return out;
}

function conflicts(map: Map<string, Directive>): string | null {
  const positive = (n: string): boolean => /^[1-9]\d*$/.test(map.get(n)?.value ?? '');
  const fresh = ['max-age', 's-maxage'].filter(positive);
  if (map.has('no-store') && fresh.length > 0) return `no-store with ${fresh.join(' and ')}`;
  if (map.has('no-store') && map.has('public')) return 'no-store with public';
  if (map.has('no-cache') && map.get('no-cache')?.value == null && fresh.length > 0)
    return `no-cache with a positive ${fresh.join(' and ')}`;
  if (map.has('public') && map.has('private')) return 'both public and private';
  return null;
}

/** Is every field the inspector reasons about well formed and sent once? */
export const fieldsCheck: Check = {
  name: 'fields',
  ids: [
    'date-missing',
    'date-invalid',
    'expires-invalid',
    'cache-control-invalid',
    'cache-control-conflict',
    'cache-control-unknown-directive',
    'content-type-repeated',
    'content-type-invalid',
    'field-repeated',
    'request-header-in-response',
  ],
  run({ exchange: { response } }): Finding[] {
    const { status, headers } = response;
    const out: Finding[] = [];
    const dates = headerValues(headers, 'date');
    // RFC 9110 §6.6.1: required on 2xx, 3xx and 4xx from an origin with a clock; optional on 1xx and 5xx.
    if (dates.length === 0 && status >= 200 && status < 500) out.push(finding('date-missing', `${status} response has no Date`));
    else if (dates.length > 1) out.push(finding('date-invalid', `Date is sent ${dates.length} times`, dates.join(' | ')));
    else if (dates.length === 1 && !isImfFixdate(dates[0]!))
      out.push(finding('date-invalid', `Date "${dates[0]}" is not an IMF-fixdate`, dates[0]));
    const expires = headerValues(headers, 'expires');
    const [exp] = expires;
    // RFC 9111 §5.3: "0" is the classic way to say "already expired"; caches must read it so.
    if (expires.length === 1 && exp !== undefined && !/^\s*-?[01]\s*$/.test(exp) && parseHttpDate(exp) === null) {
      out.push(finding('expires-invalid', `Expires "${exp}" is not an HTTP-date`, exp));
    }
    out.push(...cacheControlFindings(headers));
    const types = headerValues(headers, 'content-type');
    if (types.length > 1)
      out.push(finding('content-type-repeated', `Content-Type is sent ${types.length} times`, types.join(' | ')));
    else if (types.length === 1) {
      const mt = parseMediaType(types[0]!);
      if (/^[^"]*,/.test(types[0]!) && mt.invalid !== null) {
        out.push(finding('content-type-repeated', `Content-Type lists several media types: ${types[0]}`, types[0]));
      } else if (mt.invalid !== null)
        out.push(finding('content-type-invalid', `Content-Type "${types[0]}": ${mt.invalid}`, types[0]));
    }
    for (const name of SINGLETONS) {
      const values = headerValues(headers, name);
      if (values.length > 1)
        out.push(finding('field-repeated', `${canonical(name)} is sent ${values.length} times`, values.join(' | ')));
    }
    const echoed = REQUEST_ONLY.filter((name) => headerValues(headers, name).length > 0);
    if (echoed.length > 0) {
      out.push(
        finding(
          'request-header-in-response',
          `the response carries request field${echoed.length > 1 ? 's' : ''} ${echoed.map(canonical).join(', ')}`,
        ),
      );
    }
    return out;
  },
};

function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}
