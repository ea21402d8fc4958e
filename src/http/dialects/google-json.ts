import { reasonPhrase } from '../problem.js';
import { type DialectInput, type FormatBuilder, camelCode } from './types.js';

/*
 * Google APIs' error object (Drive API "Resolve errors"): `error.code` is the HTTP status,
 * `error.errors[]` holds domain, message and reason (the code clients branch on), `error.message`
 * repeats the message. Google pretty-prints with two spaces.
 */
export const googleJson: FormatBuilder = (input: DialectInput) => {
  const message = input.message ?? reasonPhrase(input.status);
  const reason = input.code ?? camelCode(reasonPhrase(input.status));
  const error = { code: input.status, errors: [{ domain: 'global', message, reason }], message };
  return {
    contentType: 'application/json; charset=UTF-8',
    headers: [],
    body: `${JSON.stringify({ error }, null, 2)}\n`,
  };
};
