import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Visible ASCII, no spaces, at most 200 characters: anything else is replaced, not echoed back. */
const ACCEPTABLE = /^[\x21-\x7e]{1,200}$/;

/** The client's `x-request-id` when it is sane, otherwise a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && ACCEPTABLE.test(given)) return given;
  return randomUUID();
}
