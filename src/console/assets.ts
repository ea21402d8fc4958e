import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

/** One built file of the console, ready to send: bytes, gzip, strong ETag, all computed once. */
export interface Asset {
  readonly type: string;
  readonly body: Buffer;
  /** Null when gzip would not save anything worth a header. */
  readonly gzip: Buffer | null;
  readonly etag: string;
}

/** What `npm run build` writes to dist/console/ (see build.mjs); nothing else there is served. */
export const ASSET_FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
};

/**
 * dist/console/ from both src/console/ (tests run the sources) and dist/console/ (the package):
 * two levels up is the package root either way.
 */
const BUILT = new URL('../../dist/console/', import.meta.url);

/**
 * The built console, read on the first request for it rather than at start-up, so a faultline
 * nobody opens the console of pays nothing. Null when the console was not built.
 */
export function lazyAssets(dir: URL = BUILT): () => Promise<ReadonlyMap<string, Asset> | null> {
  let loading: Promise<ReadonlyMap<string, Asset> | null> | null = null;
  return () =>
    (loading ??= load(dir).catch((err: unknown) => {
      loading = null; // a read error is not remembered: the next request tries again
      throw err;
    }));
}

async function load(dir: URL): Promise<ReadonlyMap<string, Asset> | null> {
  const assets = new Map<string, Asset>();
  try {
    for (const [name, type] of Object.entries(ASSET_FILES)) assets.set(name, prepare(type, await readFile(new URL(name, dir))));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return assets;
}

function prepare(type: string, body: Buffer): Asset {
  const zipped = gzipSync(body, { level: 9 });
  return {
    type,
    body,
    gzip: zipped.length < body.length - 256 ? zipped : null,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
  };
}
