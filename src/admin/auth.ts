import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Bearer-token check in constant time: both sides are hashed first so the comparison does not
 * even leak the token's length. The token itself is never logged.
 */
export function createTokenCheck(token: string | null): (req: IncomingMessage) => boolean {
  if (token === null) return () => true;
  const expected = createHash('sha256').update(token).digest();
  return (req) => {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
    const given = createHash('sha256').update(header.slice(7).trim()).digest();
    return timingSafeEqual(given, expected);
  };
}
