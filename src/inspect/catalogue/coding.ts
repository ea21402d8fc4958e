import { rfc, type CatalogueEntry } from './entry.js';

/** Content codings (RFC 9110 §8.4). */
export const CODING = {
  'content-encoding-invalid': {
    severity: 'error',
    rule: 'The body does not decode as its Content-Encoding says (gzip, deflate as zlib, br), or names an unregistered coding.',
    why: 'Clients that decode the content as labelled get a decompression error instead of the body, so the status is all they learn.',
    fix: 'Label only the codings actually applied, in order, or send the body uncompressed without Content-Encoding.',
    refs: [rfc(9110, '8.4'), rfc(9110, '8.4.1')],
  },
  'content-encoding-not-accepted': {
    severity: 'error',
    rule: "The Content-Encoding is one the request's Accept-Encoding did not offer (or excluded with q=0).",
    why: 'The client said it cannot decode that coding, so it receives bytes it cannot read.',
    fix: 'Honour Accept-Encoding: send identity (uncompressed) when the coding was not offered.',
    refs: [rfc(9110, '12.5.3')],
  },
} as const satisfies Record<string, CatalogueEntry>;
