// The upstream every target talks to: node:http with precomputed answers, so its own cost per
// request is as small as Node allows.
//   any GET          -> a small JSON body (51 bytes)
//   GET /64k         -> 64 KiB
//   GET /bytes/N     -> N bytes, streamed in 64 KiB chunks with backpressure
//   PUT|POST any     -> reads and counts the body, answers {"bytes":N}
import http from 'node:http';
import { CHUNK, SMALL } from './lib/bodies.mjs';
import { childArgs, serve } from './lib/child.mjs';

const SMALL_HEAD = ['Content-Type', 'application/json', 'Content-Length', String(SMALL.length)];
const BIG_HEAD = ['Content-Type', 'application/octet-stream', 'Content-Length', String(CHUNK.length)];

function handle(req, res) {
  if (req.method === 'PUT' || req.method === 'POST') return countBody(req, res);
  const url = req.url;
  if (url === '/64k') {
    res.writeHead(200, BIG_HEAD);
    res.end(CHUNK);
  } else if (url.startsWith('/bytes/')) {
    streamBytes(res, Number(url.slice(7)));
  } else {
    res.writeHead(200, SMALL_HEAD);
    res.end(SMALL);
  }
}

function countBody(req, res) {
  let bytes = 0;
  req.on('data', (c) => (bytes += c.length));
  req.on('end', () => {
    const body = JSON.stringify({ bytes });
    res.writeHead(200, ['Content-Type', 'application/json', 'Content-Length', String(body.length)]);
    res.end(body);
  });
}

function streamBytes(res, total) {
  if (!Number.isSafeInteger(total) || total < 0) {
    res.writeHead(400, ['Content-Length', '0']);
    res.end();
    return;
  }
  res.writeHead(200, ['Content-Type', 'application/octet-stream', 'Content-Length', String(total)]);
  let left = total;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.length);
      left -= n;
      const ok = res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n));
      if (!ok) return void res.once('drain', pump);
    }
    res.end();
  };
  res.on('close', () => (left = 0));
  pump();
}

// Long keep-alive so no proxy's pooled socket is closed under it between rounds.
const server = http.createServer({ keepAliveTimeout: 120_000, headersTimeout: 125_000, requestTimeout: 0 }, handle);
serve(server, childArgs().port);
