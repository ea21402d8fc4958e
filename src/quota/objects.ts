/*
 * What a WebDAV (RFC 4918) server does to its stored bytes, as plain data: a table of object paths
 * and sizes, and the change each method would make. A change is computed first (what it would free
 * or take, so a quota can reserve the growth before forwarding) and applied only once the server
 * said yes (2xx): a refused or failed COPY stores nothing.
 *
 *   PUT    /a            a's size replaces its old one
 *   DELETE /dir          every object at or under /dir/ goes (§9.6.1: DELETE of a collection is recursive)
 *   COPY   /a → /b       b (and b/…, Overwrite: T) goes, then a's objects are added under b (Depth: infinity)
 *   MOVE   /a → /b       the same, but a's objects are renamed: no growth, b's old bytes are freed
 *   Overwrite: F and an existing destination → 412 (§10.6), nothing changes
 *
 * Paths are URL paths as requests carry them; a trailing slash names the same resource.
 */

type ChangeOutcome = 'ok' | 'not-found' | 'precondition-failed';

/** What a request would do to the table. `delta` is the change in stored bytes (negative frees). */
export interface ObjectChange {
  readonly outcome: ChangeOutcome;
  readonly delta: number;
  /** Paths removed, then objects written (path, size), in that order. */
  readonly deletes: readonly string[];
  readonly puts: readonly (readonly [string, number])[];
}

const NOTHING: ObjectChange = { outcome: 'ok', delta: 0, deletes: [], puts: [] };

/** `/a/b/` and `/a/b` are one resource. */
function normalizePath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** The path of a `Destination` header (an absolute URI or an absolute path), or null when it has none. */
export function destinationPath(destination: string | undefined): string | null {
  if (destination === undefined || destination === '') return null;
  try {
    return normalizePath(new URL(destination, 'http://destination.invalid').pathname);
  } catch {
    return null;
  }
}

export class ObjectTable {
  private readonly sizes = new Map<string, number>();
  private total = 0;

  /** Bytes stored in all objects. */
  get bytes(): number {
    return this.total;
  }

  /** Number of objects. */
  get count(): number {
    return this.sizes.size;
  }

  sizeOf(path: string): number | null {
    return this.sizes.get(normalizePath(path)) ?? null;
  }

  /** The object at `path` and every object under it, with sizes. */
  under(path: string): [string, number][] {
    const root = normalizePath(path);
    const prefix = root === '/' ? '/' : `${root}/`;
    const found: [string, number][] = [];
    for (const entry of this.sizes) if (entry[0] === root || entry[0].startsWith(prefix)) found.push(entry);
    return found;
  }

  /** PUT: the object's size replaces the old one. */
  put(path: string, size: number): ObjectChange {
    const p = normalizePath(path);
    return { outcome: 'ok', delta: size - (this.sizes.get(p) ?? 0), deletes: [], puts: [[p, size]] };
  }

  /** DELETE: the object, or the collection and everything under it. */
  delete(path: string): ObjectChange {
    const gone = this.under(path);
    if (gone.length === 0) return NOTHING;
    return { outcome: 'ok', delta: -sum(gone), deletes: gone.map(([p]) => p), puts: [] };
  }

  /** COPY (Depth: infinity unless `depth0`; Overwrite: T unless `overwrite` is false). */
  copy(from: string, to: string, overwrite: boolean, depth0 = false): ObjectChange {
    return this.transfer(from, to, overwrite, depth0, false);
  }

  /** MOVE: a rename of the source and everything under it. */
  move(from: string, to: string, overwrite: boolean): ObjectChange {
    return this.transfer(from, to, overwrite, false, true);
  }

  /** Carry out a change the server accepted. */
  apply(change: ObjectChange): void {
    if (change.outcome !== 'ok') return;
    for (const p of change.deletes) {
      const size = this.sizes.get(p);
      if (size === undefined) continue;
      this.total -= size;
      this.sizes.delete(p);
    }
    for (const [p, size] of change.puts) {
      this.total += size - (this.sizes.get(p) ?? 0);
      this.sizes.set(p, size);
    }
  }

  private transfer(from: string, to: string, overwrite: boolean, depth0: boolean, rename: boolean): ObjectChange {
    const src = normalizePath(from);
    const dst = normalizePath(to);
    const sources = depth0 ? this.under(src).filter(([p]) => p === src) : this.under(src);
    if (sources.length === 0) return { outcome: 'not-found', delta: 0, deletes: [], puts: [] };
    // Source and destination may not overlap (Apache mod_dav answers 403, nginx 409): nothing changes.
    if (dst === src || dst.startsWith(`${src}/`) || src.startsWith(`${dst}/`))
      return { outcome: 'precondition-failed', delta: 0, deletes: [], puts: [] };
    const replaced = this.under(dst);
    if (replaced.length > 0 && !overwrite) return { outcome: 'precondition-failed', delta: 0, deletes: [], puts: [] };
    const puts = sources.map(([p, size]): [string, number] => [dst + p.slice(src.length), size]);
    const deletes = replaced.map(([p]) => p);
    if (rename) deletes.push(...sources.map(([p]) => p));
    const delta = (rename ? 0 : sum(sources)) - sum(replaced);
    return { outcome: 'ok', delta, deletes, puts };
  }
}

function sum(entries: readonly (readonly [string, number])[]): number {
  let n = 0;
  for (const [, size] of entries) n += size;
  return n;
}
