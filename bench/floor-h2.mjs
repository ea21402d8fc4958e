// The HTTP/2 floor: the least a Node reverse proxy that takes h2c (prior knowledge) and calls an
// HTTP/1.1 upstream can do, as simple as the HTTP/1.1 floor: node:http2's compatibility API in
// front, node:http with a keep-alive agent behind, pipe() both ways. Pseudo-headers are dropped,
// `:authority` becomes Host, and the fields HTTP/2 forbids in a response are left out; nothing else
// (no header rewriting, no limits, no timeouts). faultline's h2 pass-through is compared with this.
import http from 'node:http';
import http2 from 'node:http2';
import { childArgs, serve } from './lib/child.mjs';

const args = childArgs();
const target = new URL(args.upstream);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 256, scheduling: 'lifo' });
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

serve(
  http2.createServer((req, res) => {
    const headers = {};
    for (const name in req.headers) if (name.charCodeAt(0) !== 58 /* ':' */) headers[name] = req.headers[name];
    headers.host = req.headers[':authority'] ?? target.host;
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
      (upRes) => {
        const out = {};
        for (const name in upRes.headers) if (!HOP.has(name)) out[name] = upRes.headers[name];
        res.writeHead(upRes.statusCode, out);
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-length': '0' });
      res.end();
    });
    req.pipe(up);
  }),
  args.port,
);
