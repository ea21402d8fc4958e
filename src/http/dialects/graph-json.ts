import { reasonPhrase } from '../problem.js';
import { type DialectInput, type FormatBuilder, camelCode } from './types.js';

/*
 * Microsoft Graph's error object (learn.microsoft.com/graph/errors): `error.code` (what clients
 * branch on), `error.message`, and `error.innerError` with the date and request ids, which also go
 * out as the `request-id` and `client-request-id` headers.
 */
export const graphJson: FormatBuilder = (input: DialectInput) => {
  const date = new Date(input.now).toISOString().slice(0, 19);
  const error = {
    code: input.code ?? camelCode(reasonPhrase(input.status)),
    message: input.message ?? reasonPhrase(input.status),
    innerError: { date, 'request-id': input.requestId, 'client-request-id': input.requestId },
  };
  return {
    contentType: 'application/json',
    headers: [
      ['request-id', input.requestId],
      ['client-request-id', input.requestId],
    ],
    body: JSON.stringify({ error }),
  };
};
