import { sendAdminProblem, type AdminRequest } from './router.js';

/** Largest admin request body read (a rule set is a few KiB; this leaves plenty of room). */
export const ADMIN_BODY_LIMIT = 1024 * 1024;
/** Past the limit the rest is read and dropped, so the client sees the 413; beyond this, cut off. */
const DISCARD_LIMIT = 16 * 1024 * 1024;

/**
 * The request body as UTF-8 text. Over `limit` bytes (declared or streamed) it answers 413
 * problem+json itself and resolves null: the caller just returns.
 */
export function readBody(ar: AdminRequest, limit = ADMIN_BODY_LIMIT): Promise<string | null> {
  const { req } = ar;
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      tooLarge(ar, limit);
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      tooLarge(ar, limit);
      resolve(null);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

function tooLarge(ar: AdminRequest, limit: number): void {
  sendAdminProblem(ar, 'FAULTLINE_PAYLOAD_TOO_LARGE', `the request body is larger than ${limit} bytes`);
  let dropped = 0;
  ar.req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_LIMIT) ar.req.socket.destroy();
  });
  ar.req.resume();
}

/** The body as a JSON object, or null after answering 400 (not JSON, not an object) or 413. */
export async function readJsonObject(ar: AdminRequest): Promise<Record<string, unknown> | null> {
  const text = await readBody(ar);
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    sendAdminProblem(ar, 'FAULTLINE_ADMIN_BAD_REQUEST', `the body is not JSON: ${(err as Error).message}`);
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    sendAdminProblem(ar, 'FAULTLINE_ADMIN_BAD_REQUEST', 'the body must be a JSON object');
    return null;
  }
  return value as Record<string, unknown>;
}
