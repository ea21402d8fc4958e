import { createHash } from 'node:crypto';

/*
 * The demo upstream's WebDAV tree, in memory: collections and files by decoded path ("/" is the
 * root, no trailing slashes). Each operation returns the HTTP status a WebDAV server answers
 * (RFC 4918), so webdav.ts only translates requests and responses.
 */

export interface DavFile {
  readonly kind: 'file';
  readonly data: Buffer;
  readonly modified: Date;
  readonly etag: string;
}

export interface DavCollection {
  readonly kind: 'collection';
  readonly modified: Date;
}

export type DavNode = DavFile | DavCollection;

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export class DavStore {
  private readonly nodes = new Map<string, DavNode>([['/', { kind: 'collection', modified: new Date() }]]);
  private stored = 0;

  /** `capacity`: total file bytes the store holds; beyond it a write is 507 Insufficient Storage. */
  constructor(private readonly capacity: number) {}

  get(path: string): DavNode | undefined {
    return this.nodes.get(path);
  }

  /** The node and its direct members (Depth: 1), member paths first-level only. */
  children(path: string): [string, DavNode][] {
    const prefix = path === '/' ? '/' : `${path}/`;
    const found: [string, DavNode][] = [];
    for (const entry of this.nodes) {
      const p = entry[0];
      if (p !== path && p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) found.push(entry);
    }
    return found.sort(([a], [b]) => a.localeCompare(b));
  }

  /** Room for `size` more bytes, replacing `replacing` bytes? */
  fits(size: number, replacing: number): boolean {
    return this.stored - replacing + size <= this.capacity;
  }

  put(path: string, data: Buffer): number {
    const parent = this.nodes.get(parentOf(path));
    if (parent?.kind !== 'collection') return 409;
    const old = this.nodes.get(path);
    if (old?.kind === 'collection') return 405;
    const oldSize = old?.kind === 'file' ? old.data.length : 0;
    if (!this.fits(data.length, oldSize)) return 507;
    this.stored += data.length - oldSize;
    this.nodes.set(path, { kind: 'file', data, modified: new Date(), etag: etagOf(data) });
    return old === undefined ? 201 : 204;
  }

  mkcol(path: string): number {
    if (this.nodes.has(path)) return 405;
    if (this.nodes.get(parentOf(path))?.kind !== 'collection') return 409;
    this.nodes.set(path, { kind: 'collection', modified: new Date() });
    return 201;
  }

  delete(path: string): number {
    if (path === '/') return 403;
    const gone = this.subtree(path);
    if (gone.length === 0) return 404;
    for (const [p, node] of gone) {
      if (node.kind === 'file') this.stored -= node.data.length;
      this.nodes.delete(p);
    }
    return 204;
  }

  /** COPY or MOVE (Depth: infinity), with Overwrite (RFC 4918 §9.8, §9.9, §10.6). */
  transfer(from: string, to: string, overwrite: boolean, move: boolean): number {
    const sources = this.subtree(from);
    if (sources.length === 0) return 404;
    // Source and destination may not overlap (Apache mod_dav answers 403 too).
    if (to === from || to.startsWith(`${from}/`) || from.startsWith(`${to}/`) || from === '/' || to === '/') return 403;
    if (this.nodes.get(parentOf(to))?.kind !== 'collection') return 409;
    const existing = this.subtree(to);
    if (existing.length > 0 && !overwrite) return 412;
    const freed = existing.reduce((n, [, node]) => n + (node.kind === 'file' ? node.data.length : 0), 0);
    const added = move ? 0 : sources.reduce((n, [, node]) => n + (node.kind === 'file' ? node.data.length : 0), 0);
    if (!this.fits(added, freed)) return 507;
    if (existing.length > 0) this.delete(to);
    for (const [p, node] of sources) {
      if (move) this.nodes.delete(p);
      else if (node.kind === 'file') this.stored += node.data.length;
      this.nodes.set(to + p.slice(from.length), node);
    }
    return existing.length > 0 ? 204 : 201;
  }

  /** The node at `path` and everything under it. */
  private subtree(path: string): [string, DavNode][] {
    const prefix = path === '/' ? '/' : `${path}/`;
    const found: [string, DavNode][] = [];
    for (const entry of this.nodes) if (entry[0] === path || entry[0].startsWith(prefix)) found.push(entry);
    return found;
  }
}

function etagOf(data: Buffer): string {
  return `"${createHash('sha1').update(data).digest('hex').slice(0, 16)}"`;
}
