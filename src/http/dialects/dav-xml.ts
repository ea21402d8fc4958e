import { reasonPhrase } from '../problem.js';
import { type DialectInput, type FormatBuilder, freeOf, xml } from './types.js';

/*
 * SabreDAV's error document (Sabre\DAV\Server::exec, DOMDocument with formatOutput), as Nextcloud
 * and ownCloud send it: `<d:error>` with `s:exception` (the class clients match) and `s:message`.
 * Nextcloud's QuotaPlugin words the message "Insufficient space in PATH, N required, M available":
 * with a quota, the figures go there.
 */
export const davXml: FormatBuilder = (input: DialectInput) => {
  const exception = input.code ?? 'Sabre\\DAV\\Exception';
  const q = input.quota;
  const message =
    input.message ??
    (q === null
      ? reasonPhrase(input.status)
      : `Insufficient space in ${input.resource}, ${q.requested} required, ${freeOf(q)} available`);
  const body =
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">\n' +
    `  <s:exception>${xml(exception)}</s:exception>\n` +
    `  <s:message>${xml(message)}</s:message>\n` +
    '</d:error>\n';
  return { contentType: 'application/xml; charset=utf-8', headers: [], body };
};
