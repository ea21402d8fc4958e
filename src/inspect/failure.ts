import { FaultlineError } from '../errors.js';

/** Why the request could not be made, as a catalogue error with a one-line message. */
export function requestError(err: Error, p: { url: URL }): FaultlineError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const host = p.url.host;
  const cause = { cause: err };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new FaultlineError('FAULTLINE_UPSTREAM_UNREACHABLE', `cannot resolve ${p.url.hostname} (${code})`, cause);
  }
  if (code === 'ECONNREFUSED')
    return new FaultlineError('FAULTLINE_UPSTREAM_UNREACHABLE', `connection refused by ${host}`, cause);
  if (code === 'ECONNRESET') {
    return new FaultlineError(
      'FAULTLINE_UPSTREAM_RESET',
      `connection to ${host} closed before a response (${err.message})`,
      cause,
    );
  }
  const detail = err.message === '' && err instanceof AggregateError ? err.errors.map(String).join('; ') : err.message;
  return new FaultlineError(
    'FAULTLINE_UPSTREAM_UNREACHABLE',
    `request to ${host} failed: ${detail}${code === '' ? '' : ` (${code})`}`,
    cause,
  );
}
