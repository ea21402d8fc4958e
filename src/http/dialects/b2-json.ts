import { reasonPhrase } from '../problem.js';
import { type DialectInput, type FormatBuilder } from './types.js';

/*
 * Backblaze B2's native API error (docs: "Native API Error Handling and Status Codes"): status, a
 * short code string, and a message "intended only for humans", pretty-printed as B2 does
 * (`"status" : 403`).
 */
export const b2Json: FormatBuilder = (input: DialectInput) => {
  const code =
    input.code ??
    reasonPhrase(input.status)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_');
  const message = input.message ?? reasonPhrase(input.status);
  const body = `{\n  "status" : ${input.status},\n  "code" : ${JSON.stringify(code)},\n  "message" : ${JSON.stringify(message)}\n}`;
  return { contentType: 'application/json;charset=utf-8', headers: [], body };
};
