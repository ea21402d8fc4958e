// The markdown report printed at the end of a run (and pasted into docs/performance.md).

const n0 = (x) => (x == null ? '—' : Math.round(x).toLocaleString('en-US'));
const n1 = (x) => (x == null ? '—' : x.toFixed(1));
const n2 = (x) => (x == null ? '—' : x.toFixed(2));
const range = (s) => (s?.median == null ? '—' : s.n > 1 ? `${n2(s.median)} (${n2(s.min)}–${n2(s.max)})` : n2(s.median));

function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );
}

export function markdown(result) {
  const { summary, targets, machine, options, streaming, verdicts, checks } = result;
  const live = targets.filter((t) => t.skip === null);
  const out = [];
  out.push(
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}; ${options.rounds} interleaved rounds of ${options.duration} s per measurement; ` +
      `${machine.pinning ? 'targets pinned to CPU 0, load generators and upstream to CPU 1' : 'no CPU pinning'}.`,
  );
  out.push('');
  out.push(
    '**Throughput, 50 connections, small body** (median of rounds; ratios are medians of per-round ratios, min–max in brackets; CPU µs/req and core busy: the target process, from /proc, during the autocannon runs)',
  );
  out.push('');
  out.push(
    table(
      [
        'target',
        'req/s (autocannon)',
        'req/s (wrk)',
        'vs floor (autocannon)',
        'vs floor (wrk)',
        'vs direct (wrk)',
        'CPU µs/req',
        'CPU vs floor',
        'core busy',
        'req/s 64 KiB (autocannon)',
        'req/s 64 KiB (wrk)',
        '64 KiB vs floor (wrk)',
        'peak RSS MiB',
      ],
      live.map(({ key, label }) => {
        const s = summary[key];
        return [
          label,
          n0(s.c50.rps),
          n0(s.c50wrk.rps),
          range(s.vsFloor.autocannon),
          range(s.vsFloor.wrk),
          range(s.vsDirect.wrk),
          n1(s.c50.cpuUsPerReq),
          range(s.cpuVsFloor),
          s.c50.busy == null ? '—' : `${Math.round(s.c50.busy * 100)}%`,
          n0(s.c50big.rps),
          n0(s.c50bigWrk.rps),
          range(s.vsFloor.bigWrk),
          n1(s.peakRssMiB),
        ];
      }),
    ),
  );
  out.push('');
  out.push('**Latency, 1 connection** (wrk percentiles in µs; autocannon reports whole ms, so its mean is given as 10⁶ / req/s)');
  out.push('');
  out.push(
    table(
      ['target', 'p50 µs (wrk)', 'p99 µs (wrk)', 'p50 over floor µs (wrk)', 'req/s (autocannon)', 'mean µs (autocannon)'],
      live.map(({ key, label }) => {
        const s = summary[key];
        return [
          label,
          n1(s.c1wrk.p50us),
          n1(s.c1wrk.p99us),
          key === 'floor' ? '0' : n1(s.addedP50UsOverFloor.median),
          n0(s.c1.rps),
          n1(s.c1.meanUs),
        ];
      }),
    ),
  );
  if (streaming !== null) {
    out.push('');
    out.push(
      `**Streaming ${streaming.bytes / 2 ** 20} MiB each way** (median MB/s of ${streaming.rounds} round(s); peak RSS = highest VmHWM of the target during the transfer)`,
    );
    out.push('');
    out.push(
      table(
        ['target', 'upload MB/s', 'download MB/s', 'peak RSS MiB upload', 'peak RSS MiB download', 'idle RSS MiB'],
        Object.entries(streaming.targets).map(([key, s]) => [
          key,
          n0(s.upload.mbps),
          n0(s.download.mbps),
          n1(s.upload.peakRssMiB),
          n1(s.download.peakRssMiB),
          n1(s.idleRssMiB),
        ]),
      ),
    );
  }
  if (result.h2 != null) {
    const { load, summary: h2 } = result.h2;
    out.push('');
    out.push(
      `**HTTP/2 pass-through** (h2c with prior knowledge, h2load: ${load.connections} connections × ${load.streams} streams; the upstream is called over HTTP/1.1; median of rounds, ratio: median of per-round ratios)`,
    );
    out.push('');
    out.push(
      table(
        ['target', 'req/s (h2load)', 'vs HTTP/2 floor', 'CPU µs/req', 'failed or non-2xx'],
        [
          ['HTTP/2 floor: node:http2 compat + node:http keep-alive + pipe()', 'floor-h2'],
          ['faultline, no rules (h2c)', 'faultline'],
        ].map(([label, key]) => [label, n0(h2[key].rps), range(h2[key].vsFloor), n1(h2[key].cpuUsPerReq), n0(h2[key].failed)]),
      ),
    );
  }
  out.push('');
  out.push('**Targets (issue 8)**');
  out.push('');
  out.push(
    table(
      ['target', 'measured', 'result', 'how'],
      verdicts.map((v) => [
        v.target,
        v.value == null ? '—' : Math.abs(v.value) < 10 ? v.value.toFixed(3) : v.value.toFixed(1),
        v.pass === null ? 'not measured' : v.pass ? 'pass' : '**FAIL**',
        v.how,
      ]),
    ),
  );
  const failedChecks = Object.entries(checks).filter(([, c]) => c.bad.length > 0);
  out.push('');
  out.push(
    failedChecks.length === 0
      ? `Correctness: every target proxied ${Object.values(checks)[0]?.requests ?? 0} sequential GETs byte for byte` +
          (checks['faultline-507']
            ? `; faultline-507 answered ${checks['faultline-507'].injected507} well-formed 507s and ${checks['faultline-507'].ok} correct 200s.`
            : '.')
      : `Correctness FAILED: ${failedChecks.map(([k, c]) => `${k}: ${JSON.stringify(c.bad.filter(Boolean))}`).join('; ')}`,
  );
  const dist = live.map(({ key }) => summary[key].disturbed);
  const sum = (f) => dist.reduce((a, b) => a + b[f], 0);
  out.push(
    '',
    `Disturbance: of ${sum('of')} measurements, ${sum('retried')} were taken again because something outside the benchmark used more than 0.25 core meanwhile, ` +
      `and ${sum('disturbed')} were still disturbed at the last try (machine busy before the run: ${machine.busyBefore == null ? 'unknown' : `${Math.round(machine.busyBefore * 100)}%`}).`,
  );
  const skipped = targets.filter((t) => t.skip !== null);
  if (skipped.length > 0) out.push('', `Skipped: ${skipped.map((t) => `${t.key} (${t.skip})`).join(', ')}.`);
  return out.join('\n');
}
