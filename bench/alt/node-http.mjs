// Reference forwarder: node:http request + keep-alive agent, hop-by-hop headers dropped, nothing
// else. `--mode pipe` relays bodies with .pipe() (as http-proxy does); `--mode pipeline` with
// stream.pipeline(), which on Node 20-22 allocates an AbortController per call and aborts it
// (building a DOMException with a stack trace) when the pipeline finishes, even on success.
import http from 'node:http';
import { pipeline } from 'node:stream';
import { childArgs, serve } from '../lib/child.mjs';

const args = childArgs();
const usePipeline = args.mode === 'pipeline';
const target = new URL(args.upstream);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 256, scheduling: 'lifo' });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

function strip(headers) {
  const out = {};
  for (const name in headers) if (!HOP.has(name)) out[name] = headers[name];
  return out;
}

function noop() {}

function handle(req, res) {
  const up = http.request({
    hostname: target.hostname,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: strip(req.headers),
    agent,
  });
  up.on('response', (upRes) => {
    res.writeHead(upRes.statusCode, strip(upRes.headers));
    if (usePipeline) pipeline(upRes, res, noop);
    else upRes.pipe(res);
  });
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-length': '0' });
    res.end();
  });
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  if (usePipeline) pipeline(req, up, noop);
  else req.pipe(up);
}

serve(http.createServer(handle), args.port);
