import { problemFor, reasonPhrase } from '../problem.js';
import { type DialectInput, type FormatBuilder } from './types.js';

/**
 * faultline's default: RFC 9457 problem+json with `type: about:blank`, the status's title, the
 * detail sentence and, for a quota, a `quota` member with its figures (stored and pending apart).
 */
export const problemJson: FormatBuilder = (input: DialectInput) => {
  const problem = problemFor('FAULTLINE_FAULT_INJECTED', input.detail, input.resource, input.requestId, input.status);
  problem.type = 'about:blank';
  problem.title = reasonPhrase(input.status);
  if (input.message !== null) problem.detail = input.message;
  const q = input.quota;
  if (q !== null) {
    problem.code = 'FAULTLINE_QUOTA_EXCEEDED';
    problem['quota'] = {
      rule: q.rule,
      key: q.key,
      limit: q.limit,
      used: q.stored,
      pending: q.pending,
      requested: q.requested,
      unit: q.unit,
    };
  }
  if (input.code !== null) problem.code = input.code;
  return { contentType: 'application/problem+json', headers: [], body: JSON.stringify(problem) };
};
