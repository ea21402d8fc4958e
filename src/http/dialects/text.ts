import { reasonPhrase } from '../problem.js';
import { type DialectInput, type FormatBuilder } from './types.js';

/** One line of plain text: the message, or the status and its reason phrase. */
export const text: FormatBuilder = (input: DialectInput) => ({
  contentType: 'text/plain; charset=utf-8',
  headers: [],
  body: `${input.message ?? `${input.status} ${reasonPhrase(input.status)}`}\n`,
});
