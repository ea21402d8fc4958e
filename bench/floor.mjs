// The floor: nothing but http-proxy with a keep-alive agent, the least a Node reverse proxy built
// on http-proxy can do. faultline's plain pass-through is compared with this.
import http from 'node:http';
import httpProxy from 'http-proxy';
import { childArgs, serve } from './lib/child.mjs';

const args = childArgs();
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 256, scheduling: 'lifo' });
const proxy = httpProxy.createProxyServer({ target: args.upstream, agent });
proxy.on('error', (_err, _req, res) => {
  if (res.headersSent === false) res.writeHead(502, { 'content-length': '0' });
  res.end?.();
});
serve(
  http.createServer((req, res) => proxy.web(req, res)),
  args.port,
);
