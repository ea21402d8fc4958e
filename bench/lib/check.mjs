// Correctness before speed: `count` sequential GETs through a target over one keep-alive
// connection. A 200 must carry the upstream's body byte for byte; a 507 (only where `allow507`)
// must be a well-formed problem+json 507. Anything else is a failure.
import http from 'node:http';
import { SMALL } from './bodies.mjs';

export async function checkTarget(base, { count, allow507 = false, timeoutMs = 30_000 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const deadline = Date.now() + timeoutMs;
  const result = { requests: 0, ok: 0, injected507: 0, bad: [] };
  try {
    for (let i = 0; i < count && Date.now() < deadline; i++) {
      const { status, headers, body } = await get(`${base}/`, agent);
      result.requests++;
      if (status === 200 && body.equals(SMALL)) result.ok++;
      else if (allow507 && status === 507 && isProblem507(headers, body)) result.injected507++;
      else if (result.bad.length < 5) result.bad.push({ status, body: body.toString('utf8', 0, 200) });
      else result.bad.push(null);
    }
  } finally {
    agent.destroy();
  }
  return result;
}

function isProblem507(headers, body) {
  if (headers['content-type'] !== 'application/problem+json') return false;
  try {
    return JSON.parse(body.toString('utf8')).status === 507;
  } catch {
    return false;
  }
}

function get(url, agent) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, timeout: 5000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('check request timed out')));
    req.on('error', reject);
  });
}
