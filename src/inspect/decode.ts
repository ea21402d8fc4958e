import zlib from 'node:zlib';

/** Ratio cap on decompressed size, so a small capture cannot expand into a zip bomb. */
const MAX_EXPANSION = 16;
/** Codings Node can undo. zstd and compress are registered too (RFC 9110 §18.6) but cannot be checked here. */
const UNCHECKABLE = new Set(['zstd', 'compress', 'x-compress']);

export interface Decoded {
  /** The content after undoing every content coding that could be undone. */
  bytes: Buffer;
  /** Why a coding did not decode; null when all did (or there was nothing to decode). */
  error: string | null;
  /** A coding named that could not be checked (zstd, compress): the bytes are still coded. */
  unchecked: string | null;
}

/**
 * Undo the content codings (RFC 9110 §8.4), last applied first. A truncated capture is decoded as
 * far as it goes (sync flush), so only a real format error counts.
 */
export function decodeContent(body: Buffer, contentEncoding: string | null, truncated: boolean, captureBytes: number): Decoded {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  let bytes = body;
  if (body.length === 0) return { bytes, error: null, unchecked: null };
  const maxOutputLength = Math.max(captureBytes * MAX_EXPANSION, 1024);
  for (const coding of codings.reverse()) {
    if (UNCHECKABLE.has(coding)) return { bytes, error: null, unchecked: coding };
    try {
      bytes = undo(coding, bytes, truncated, maxOutputLength);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') return { bytes, error: null, unchecked: coding };
      return { bytes, error: `${coding}: ${err instanceof Error ? err.message : String(err)}`, unchecked: null };
    }
  }
  return { bytes, error: null, unchecked: null };
}

function undo(coding: string, body: Buffer, truncated: boolean, maxOutputLength: number): Buffer {
  const finishFlush = truncated ? zlib.constants.Z_SYNC_FLUSH : zlib.constants.Z_FINISH;
  if (coding === 'gzip' || coding === 'x-gzip') return zlib.gunzipSync(body, { finishFlush, maxOutputLength });
  if (coding === 'deflate') {
    // RFC 9110 §8.4.1.2: "deflate" is the zlib format. Raw deflate is a known non-conformance.
    try {
      return zlib.inflateSync(body, { finishFlush, maxOutputLength });
    } catch (err) {
      try {
        zlib.inflateRawSync(body, { finishFlush, maxOutputLength });
      } catch {
        // Not raw deflate either: the first failure is the one to report.
        throw err;
      }
      throw new Error('raw deflate data without the zlib wrapper RFC 9110 §8.4.1.2 requires', { cause: err });
    }
  }
  if (coding === 'br') {
    const flush = truncated ? zlib.constants.BROTLI_OPERATION_FLUSH : zlib.constants.BROTLI_OPERATION_FINISH;
    return zlib.brotliDecompressSync(body, { finishFlush: flush, maxOutputLength });
  }
  throw new Error(`"${coding}" is not a registered content coding (RFC 9110 §16.6.1)`);
}
