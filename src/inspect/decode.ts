import zlib from 'node:zlib';

/** Ratio cap on decompressed size, so a small capture cannot expand into a zip bomb. */
const MAX_EXPANSION = 16;

/**
 * The captured body as text for the checks and the preview. Content-coded bodies (RFC 9110 §8.4)
 * are decoded when possible; a truncated capture is decoded as far as it goes (sync flush).
 */
export function decodeForAnalysis(
  body: Buffer,
  contentEncoding: string | null,
  truncated: boolean,
  captureBytes: number,
): string {
  const coding = contentEncoding?.trim().toLowerCase() ?? '';
  if (coding === '' || coding === 'identity' || body.length === 0) return body.toString('utf8');
  const maxOutputLength = Math.max(captureBytes * MAX_EXPANSION, 1024);
  try {
    if (coding === 'gzip' || coding === 'x-gzip') {
      return zlib.gunzipSync(body, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength }).toString('utf8');
    }
    if (coding === 'deflate') {
      return zlib.inflateSync(body, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength }).toString('utf8');
    }
    if (coding === 'br') {
      const flush = truncated ? zlib.constants.BROTLI_OPERATION_FLUSH : zlib.constants.BROTLI_OPERATION_FINISH;
      return zlib.brotliDecompressSync(body, { finishFlush: flush, maxOutputLength }).toString('utf8');
    }
  } catch {
    // Not what the header claims, or too large: analyse the bytes as they came.
  }
  return body.toString('utf8');
}
