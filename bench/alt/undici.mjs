// Reference forwarder on undici's Pool (`pool.stream`), hop-by-hop headers dropped, nothing else.
// undici is not a dependency of faultline: the harness passes --undici DIR when it can resolve it
// (from the project, or BENCH_UNDICI_DIR) and skips this target otherwise.
import http from 'node:http';
import { createRequire } from 'node:module';
import { childArgs, serve } from '../lib/child.mjs';

const args = childArgs();
const { Pool } = createRequire(args.undici + '/')('undici');
const pool = new Pool(args.upstream, { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);

function strip(headers) {
  const out = {};
  for (const name in headers) if (!HOP.has(name)) out[name] = headers[name];
  return out;
}

function handle(req, res) {
  const bodiless = req.method === 'GET' || req.method === 'HEAD';
  pool.stream(
    { path: req.url, method: req.method, headers: strip(req.headers), body: bodiless ? null : req },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, strip(headers));
      return res;
    },
    (err) => {
      if (err === null) return;
      if (!res.headersSent) res.writeHead(502, { 'content-length': '0' });
      res.end();
    },
  );
}

serve(http.createServer(handle), args.port);
