import { reasonPhrase } from '../problem.js';
import { type DialectInput, type FormatBuilder } from './types.js';

/*
 * PostgREST's error object (docs: "Errors"): PostgreSQL's SQLSTATE as `code`, then details, hint
 * and message, compact. `details` is free text: with a quota, the figures go there.
 */
export const postgrestJson: FormatBuilder = (input: DialectInput) => {
  const q = input.quota;
  const details =
    q === null ? null : `${q.stored} ${q.unit} stored, ${q.pending} pending, ${q.requested} requested, limit ${q.limit}`;
  const hint = input.code === '53100' ? 'Check free disk space.' : null;
  const body = JSON.stringify({
    code: input.code ?? 'PGRST000',
    details,
    hint,
    message: input.message ?? reasonPhrase(input.status),
  });
  return { contentType: 'application/json; charset=utf-8', headers: [], body };
};
