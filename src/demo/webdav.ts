import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { DavStore, type DavNode } from './dav-store.js';

/*
 * A small WebDAV server (RFC 4918, class 1) under one path prefix of the demo upstream, enough for
 * curl, cadaver and rclone (`--webdav-vendor other`): OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY,
 * MOVE (Destination, Overwrite) and PROPFIND with Depth 0 or 1. Everything lives in memory and is
 * lost on exit; beyond `capacity` bytes a write gets 507 Insufficient Storage, as from a full disk.
 */

const ALLOW = 'OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE, PROPFIND';

export class DemoWebDav {
  private readonly store: DavStore;
  private readonly prefix: string;

  constructor(prefix: string, capacity: number) {
    this.prefix = prefix;
    this.store = new DavStore(capacity);
  }

  /** Answer a request whose path starts with the prefix. */
  handle(req: IncomingMessage, res: ServerResponse, rawPath: string): void {
    const path = this.storePath(rawPath);
    if (path === null) return this.finish(req, res, 400);
    switch (req.method) {
      case 'OPTIONS':
        req.resume();
        res.writeHead(200, { dav: '1', allow: ALLOW, 'ms-author-via': 'DAV', 'content-length': 0 });
        return void res.end();
      case 'GET':
      case 'HEAD':
        return this.get(req, res, path);
      case 'PUT':
        return this.put(req, res, path);
      case 'DELETE':
        return this.finish(req, res, this.store.delete(path));
      case 'MKCOL':
        return this.mkcol(req, res, path);
      case 'COPY':
      case 'MOVE':
        return this.transfer(req, res, path, req.method === 'MOVE');
      case 'PROPFIND':
        return this.propfind(req, res, path);
      default:
        return this.finish(req, res, 405, { allow: ALLOW });
    }
  }

  /** `/dav/a%20b/` → `/a b`; null for a path outside the prefix or with a bad escape. */
  private storePath(rawPath: string): string | null {
    if (rawPath !== this.prefix && !rawPath.startsWith(`${this.prefix}/`)) return null;
    let p: string;
    try {
      p = decodeURIComponent(rawPath.slice(this.prefix.length));
    } catch {
      return null;
    }
    if (p.split('/').some((s) => s === '..' || s === '.')) return null;
    p = p.replace(/\/+/g, '/');
    if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
    return p === '' ? '/' : p;
  }

  private href(path: string, node: DavNode): string {
    const encoded = path
      .split('/')
      .map((s) => encodeURIComponent(s))
      .join('/');
    const base = this.prefix + (path === '/' ? '' : encoded);
    return node.kind === 'collection' ? `${base}/` : base;
  }

  private get(req: IncomingMessage, res: ServerResponse, path: string): void {
    req.resume();
    const node = this.store.get(path);
    if (node === undefined) return this.finish(req, res, 404);
    if (node.kind === 'collection') {
      const listing = this.store
        .children(path)
        .map(([p, n]) => this.href(p, n))
        .join('\n');
      return this.finish(req, res, 200, {}, `${listing}\n`);
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': node.data.length,
      etag: node.etag,
      'last-modified': node.modified.toUTCString(),
    });
    res.end(req.method === 'HEAD' ? undefined : node.data);
  }

  private put(req: IncomingMessage, res: ServerResponse, path: string): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (tooBig || !this.store.fits(size, 0)) {
        tooBig = true; // keep reading (and dropping) so the answer reaches the client
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (tooBig) return this.finish(req, res, 507);
      this.finish(req, res, this.store.put(path, Buffer.concat(chunks)));
    });
  }

  private mkcol(req: IncomingMessage, res: ServerResponse, path: string): void {
    // RFC 4918 §9.3: a body we do not understand is 415. An empty body counts as none, however it
    // is framed (nginx and Apache refuse an empty chunked one; this demo is kinder).
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => this.finish(req, res, bytes > 0 ? 415 : this.store.mkcol(path)));
  }

  private transfer(req: IncomingMessage, res: ServerResponse, path: string, move: boolean): void {
    const destination = req.headers['destination'];
    let to: string | null = null;
    if (typeof destination === 'string') {
      try {
        to = this.storePath(new URL(destination, 'http://destination.invalid').pathname);
      } catch {
        to = null;
      }
    }
    if (to === null) return this.finish(req, res, 400);
    const overwrite = String(req.headers['overwrite'] ?? 'T').toUpperCase() !== 'F';
    this.finish(req, res, this.store.transfer(path, to, overwrite, move));
  }

  private propfind(req: IncomingMessage, res: ServerResponse, path: string): void {
    req.resume();
    const depth = req.headers['depth'] ?? 'infinity';
    if (depth !== '0' && depth !== '1') return this.finish(req, res, 403); // no Depth: infinity (RFC 4918 §9.1)
    const node = this.store.get(path);
    if (node === undefined) return this.finish(req, res, 404);
    const entries: [string, DavNode][] = [[path, node], ...(depth === '1' ? this.store.children(path) : [])];
    const body =
      '<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">\n' +
      entries.map(([p, n]) => this.response(p, n)).join('') +
      '</D:multistatus>\n';
    res.writeHead(207, { 'content-type': 'application/xml; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private response(path: string, node: DavNode): string {
    const props =
      node.kind === 'collection'
        ? '<D:resourcetype><D:collection/></D:resourcetype>'
        : `<D:resourcetype/><D:getcontentlength>${node.data.length}</D:getcontentlength>` +
          `<D:getetag>${escapeXml(node.etag)}</D:getetag><D:getcontenttype>application/octet-stream</D:getcontenttype>`;
    return (
      `<D:response><D:href>${escapeXml(this.href(path, node))}</D:href><D:propstat><D:prop>${props}` +
      `<D:getlastmodified>${node.modified.toUTCString()}</D:getlastmodified></D:prop>` +
      '<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>\n'
    );
  }

  /** A status with a short text body (none for 201/204), after the request body is read. */
  private finish(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    headers: Record<string, string> = {},
    text?: string,
  ): void {
    const body = status === 204 || status === 201 ? '' : (text ?? `${status} ${STATUS_CODES[status] ?? ''}\n`);
    const send = (): void => {
      res.writeHead(status, {
        ...headers,
        'content-length': Buffer.byteLength(body),
        ...(body === '' ? {} : { 'content-type': 'text/plain; charset=utf-8' }),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.readableEnded) send();
    else {
      req.on('end', send);
      req.resume();
    }
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
