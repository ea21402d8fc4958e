import { rfc, type CatalogueEntry } from './entry.js';

/** Where the message ends: counted from the raw bytes (RFC 9112 §6). */
export const FRAMING = {
  'body-on-bodiless-response': {
    severity: 'error',
    rule: 'Bytes follow the head of a response to HEAD, or of a 1xx, 204 or 304 response.',
    why: 'Bytes after a HEAD, 204 or 304 response are read as the start of the next response and desynchronise keep-alive connections.',
    fix: 'Send no content after a HEAD, 204 or 304 head (send the headers a GET would get, without the body).',
    refs: [rfc(9112, '6.3'), rfc(9110, '9.3.2'), rfc(9110, '15.3.5'), rfc(9110, '15.4.5')],
  },
  'content-length-mismatch': {
    severity: 'error',
    rule: 'The connection closed before Content-Length octets arrived, or more octets than Content-Length followed the head.',
    why: 'When Content-Length disagrees with the bytes sent, clients get a truncated body, hang waiting for more, or misread the next response on the connection.',
    fix: 'Compute Content-Length from the bytes actually sent (after content coding), or use chunked framing.',
    refs: [rfc(9112, '6.3'), rfc(9110, '8.6')],
  },
  'content-length-invalid': {
    severity: 'error',
    rule: 'Content-Length is not a decimal number, or several Content-Length values differ.',
    why: 'An invalid Content-Length is an unrecoverable framing error: clients refuse the response or, worse, disagree with proxies about where it ends (response splitting).',
    fix: 'Send exactly one Content-Length with the decimal octet count of the content.',
    refs: [rfc(9112, '6.3'), rfc(9110, '8.6')],
  },
  'transfer-encoding-with-content-length': {
    severity: 'error',
    rule: 'A response has both Transfer-Encoding and Content-Length.',
    why: 'Transfer-Encoding overrides Content-Length, but intermediaries that honour the wrong one split the stream differently: the classic request/response smuggling setup.',
    fix: 'Drop Content-Length whenever Transfer-Encoding is sent (or send only Content-Length).',
    refs: [rfc(9112, '6.2'), rfc(9112, '6.3')],
  },
  'transfer-encoding-invalid': {
    severity: 'error',
    rule: 'Transfer-Encoding is sent in an HTTP/1.0 response, names a coding other than chunked, does not end in chunked, or repeats chunked.',
    why: 'Clients only decode chunked (and were not offered anything else via TE), so the body arrives undecodable or its end can only be guessed from the connection closing.',
    fix: 'Use Transfer-Encoding: chunked alone (compress with Content-Encoding instead), and only in HTTP/1.1 responses.',
    refs: [rfc(9112, '6.1'), rfc(9112, '7.4')],
  },
  'chunked-encoding-invalid': {
    severity: 'error',
    rule: 'The chunked body has a malformed chunk-size line, a chunk longer than its size, or ends before the zero-size last chunk.',
    why: 'Clients cannot find the end of a broken chunked body: they fail the response as truncated or read garbage into the next message.',
    fix: 'Frame each chunk as hex size CRLF data CRLF and end the body with 0 CRLF CRLF.',
    refs: [rfc(9112, '7.1')],
  },
  'framing-missing': {
    severity: 'error',
    rule: 'The response has neither Content-Length nor chunked framing, and the connection stayed open until the timeout.',
    why: 'Without Content-Length or chunked, the body ends only when the server closes the connection, so clients hang until their own timeout.',
    fix: 'Send Content-Length or Transfer-Encoding: chunked, or close the connection after the body.',
    refs: [rfc(9112, '6.3')],
  },
  'framing-header-on-no-content': {
    severity: 'warning',
    rule: 'A 1xx or 204 response carries Content-Length or Transfer-Encoding.',
    why: 'A 204 has no content by definition, and clients that trust the framing field wait for a body that never comes.',
    fix: 'Remove Content-Length and Transfer-Encoding from 1xx and 204 responses.',
    refs: [rfc(9110, '8.6'), rfc(9112, '6.1')],
  },
  'header-syntax-invalid': {
    severity: 'error',
    rule: 'The head has bare-LF line ends, folded field lines, whitespace before a colon, an invalid field name, a line without a colon, or control characters in a value.',
    why: 'Strict clients reject such a head while lenient ones accept it, and proxies that disagree on it are how response splitting works.',
    fix: 'Emit each field as name: value CRLF with a token name, no folding, and no control characters.',
    refs: [rfc(9112, '2.2'), rfc(9112, '5.1'), rfc(9112, '5.2'), rfc(9110, '5.5')],
  },
} as const satisfies Record<string, CatalogueEntry>;
