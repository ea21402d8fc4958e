// temporary experiment: CPU per 64 KiB request before and after an idle spell longer than the upstream keep-alive
import http from 'node:http';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
const IDLE = Number(process.env.IDLE ?? 130000);
const CHUNK = Buffer.alloc(65536, 97);
const up = http.createServer({ keepAliveTimeout: 120_000, headersTimeout: 125_000 }, (req, res) => { res.writeHead(200, { 'content-length': CHUNK.length }); res.end(CHUNK); });
await new Promise((r) => up.listen(0, '127.0.0.1', r));
const targets = process.argv.slice(2).map((spec, i) => {
  const [dist, ...flags] = spec.split('::');
  const port = 18900 + i;
  const child = spawn('node', [...flags, `${dist}/cli/main.js`, 'serve', '--upstream', `http://127.0.0.1:${up.address().port}`, '--listen', `127.0.0.1:${port}`, '--admin', '127.0.0.1:0'], { stdio: 'ignore' });
  return { dist: spec, port, child };
});
await new Promise((r) => setTimeout(r, 2000));
const cpu = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const run = (t) => new Promise((resolve) => { const c0 = cpu(t.child.pid); autocannon({ url: `http://127.0.0.1:${t.port}/64k`, connections: 20, duration: 4 }, (err, r) => { const ms = cpu(t.child.pid) - c0; resolve(`${Math.round(r.requests.average)}/s ${Math.round(ms * 1000 / r.requests.total)}us`); }); });
const res = targets.map(() => []);
for (let round = 0; round < 3; round++) {
  for (let i = 0; i < targets.length; i++) res[i].push(await run(targets[i]));
  if (round < 2) await new Promise((r) => setTimeout(r, IDLE));
}
targets.forEach((t, i) => console.log(t.dist, res[i].join(' | ')));
targets.forEach((t) => t.child.kill()); up.close(); process.exit(0);
