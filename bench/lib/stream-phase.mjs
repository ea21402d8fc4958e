// The streaming phase: 1 GiB (or --stream-bytes) up and down through fresh processes of direct,
// floor and faultline, so each peak RSS is the transfer's own.
import { stop } from './procs.mjs';
import { median } from './stats.mjs';
import { download, upload } from './stream.mjs';
import { peakRss, resetPeakRss, rss } from './sysinfo.mjs';

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

/** Streaming through fresh processes (so peak RSS is the transfer's own), interleaved by round. */
export async function streamPhase(targets, env, opts) {
  const keys = ['direct', 'floor', 'faultline'].filter((k) => targets.find((t) => t.key === k)?.skip === null);
  const procs = {};
  const res = Object.fromEntries(keys.map((k) => [k, { upload: [], download: [], uploadPeak: [], downloadPeak: [] }]));
  const timeoutMs = Math.max(60_000, (opts.streamBytes / 10e6) * 1000);
  try {
    await Promise.all(keys.map(async (k) => (procs[k] = await targets.find((t) => t.key === k).start(env))));
    const idle = Object.fromEntries(keys.map((k) => [k, rss(procs[k].proc.pid)]));
    for (let r = 0; r < opts.streamRounds; r++) {
      for (const k of keys) {
        const { proc, url } = procs[k];
        for (const [dir, fn] of [
          ['upload', upload],
          ['download', download],
        ]) {
          resetPeakRss(proc.pid);
          res[k][dir].push((await fn(url, opts.streamBytes, timeoutMs)).mbps);
          res[k][`${dir}Peak`].push(peakRss(proc.pid));
        }
        log(
          `stream round ${r + 1}/${opts.streamRounds} ${k}: up ${Math.round(res[k].upload[r])} MB/s, down ${Math.round(res[k].download[r])} MB/s`,
        );
      }
    }
    const MiB = 2 ** 20;
    const peakOf = (xs) => (xs.some((x) => x === null) ? null : Math.max(...xs) / MiB);
    return {
      bytes: opts.streamBytes,
      rounds: opts.streamRounds,
      targets: Object.fromEntries(
        keys.map((k) => [
          k,
          {
            idleRssMiB: idle[k] === null ? null : idle[k] / MiB,
            upload: { mbps: median(res[k].upload), peakRssMiB: peakOf(res[k].uploadPeak), rounds: res[k].upload },
            download: { mbps: median(res[k].download), peakRssMiB: peakOf(res[k].downloadPeak), rounds: res[k].download },
          },
        ]),
      ),
    };
  } finally {
    await Promise.all(Object.values(procs).map((p) => stop(p.proc)));
  }
}
