import { reasonPhrase } from '../problem.js';
import { type DialectInput, type FormatBuilder, pascalCode, xml } from './types.js';

/*
 * Azure Storage's error document ("Status and error codes", learn.microsoft.com): a UTF-8 byte
 * order mark, `<Error><Code/><Message/></Error>`, the message ending in RequestId and Time lines,
 * and the `x-ms-error-code` (since version 2017-07-29) and `x-ms-request-id` headers.
 */

const BOM = '\ufeff';
const API_VERSION = '2025-05-05';

/** Azure writes times with seven fractional digits: 2024-05-16T09:04:16.3226200Z. */
export function azureTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export const azureXml: FormatBuilder = (input: DialectInput) => {
  const code = input.code ?? pascalCode(reasonPhrase(input.status));
  const message = `${input.message ?? reasonPhrase(input.status)}\nRequestId:${input.requestId}\nTime:${azureTime(input.now)}`;
  return {
    contentType: 'application/xml',
    headers: [
      ['x-ms-error-code', code],
      ['x-ms-request-id', input.requestId],
      ['x-ms-version', API_VERSION],
    ],
    body: `${BOM}<?xml version="1.0" encoding="utf-8"?><Error><Code>${xml(code)}</Code><Message>${xml(message)}</Message></Error>`,
  };
};
