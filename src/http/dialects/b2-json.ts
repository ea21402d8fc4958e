import { reasonPhrase } from '../problem.js';
import { type DialectInput, type FormatBuilder } from './types.js';

/*
 * Backblaze B2's native API error (docs: "Native API Error Handling and Status Codes", and the
 * b2_upload_file example): a short code string, a message "intended only for humans", and the
 * status, pretty-printed.
 */
export const b2Json: FormatBuilder = (input: DialectInput) => {
  const code =
    input.code ??
    reasonPhrase(input.status)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_');
  const message = input.message ?? reasonPhrase(input.status);
  const body = JSON.stringify({ code, message, status: input.status }, null, 2);
  return { contentType: 'application/json;charset=utf-8', headers: [], body };
};
