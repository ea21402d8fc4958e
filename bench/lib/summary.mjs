// Per-round measurements → medians, paired ratios and the verdicts against issue 8's targets.
import { median, paired, spread } from './stats.mjs';

const MiB = 2 ** 20;

/** The per-round series of `field` for a target and profile ([] when not measured). */
function series(raw, target, profile, field) {
  return (raw[target]?.[profile] ?? []).map((m) => (m === null ? NaN : m[field]));
}

/** Summaries per target: medians over rounds, and ratios paired round by round. */
export function summarize(raw, targets, peakRss) {
  const out = {};
  for (const t of targets) {
    const s = (p, f) => median(series(raw, t, p, f));
    const ratio = (p, base) => spread(paired(series(raw, t, p, 'rps'), series(raw, base, p, 'rps'), (a, b) => a / b));
    out[t] = {
      c50: {
        rps: s('ac-c50', 'rps'),
        p50ms: s('ac-c50', 'p50ms'),
        p99ms: s('ac-c50', 'p99ms'),
        cpuUsPerReq: s('ac-c50', 'cpuUsPerReq'),
        busy: s('ac-c50', 'targetBusy'),
      },
      c50wrk: {
        rps: s('wrk-c50', 'rps'),
        p50us: s('wrk-c50', 'p50us'),
        p99us: s('wrk-c50', 'p99us'),
        cpuUsPerReq: s('wrk-c50', 'cpuUsPerReq'),
        busy: s('wrk-c50', 'targetBusy'),
      },
      c1: { rps: s('ac-c1', 'rps'), meanUs: s('ac-c1', 'rps') === null ? null : 1e6 / s('ac-c1', 'rps') },
      c1wrk: { rps: s('wrk-c1', 'rps'), p50us: s('wrk-c1', 'p50us'), p90us: s('wrk-c1', 'p90us'), p99us: s('wrk-c1', 'p99us') },
      c50big: { rps: s('ac-c50-64k', 'rps'), cpuUsPerReq: s('ac-c50-64k', 'cpuUsPerReq') },
      c50bigWrk: { rps: s('wrk-c50-64k', 'rps'), cpuUsPerReq: s('wrk-c50-64k', 'cpuUsPerReq') },
      vsFloor: {
        autocannon: ratio('ac-c50', 'floor'),
        wrk: ratio('wrk-c50', 'floor'),
        big: ratio('ac-c50-64k', 'floor'),
        bigWrk: ratio('wrk-c50-64k', 'floor'),
      },
      cpuVsFloor: spread(
        paired(series(raw, t, 'ac-c50', 'cpuUsPerReq'), series(raw, 'floor', 'ac-c50', 'cpuUsPerReq'), (a, b) => a / b),
      ),
      vsDirect: { autocannon: ratio('ac-c50', 'direct'), wrk: ratio('wrk-c50', 'direct') },
      addedP50UsOverFloor: spread(
        paired(series(raw, t, 'wrk-c1', 'p50us'), series(raw, 'floor', 'wrk-c1', 'p50us'), (a, b) => a - b),
      ),
      addedMeanUsOverFloor: spread(
        paired(series(raw, t, 'ac-c1', 'rps'), series(raw, 'floor', 'ac-c1', 'rps'), (a, b) => 1e6 / a - 1e6 / b),
      ),
      peakRssMiB: peakRss[t] == null ? null : peakRss[t] / MiB,
      disturbed: disturbed(raw[t]),
    };
  }
  return out;
}

/** Measurements retried, and those still disturbed after the last try (> 0.25 core used outside). */
function disturbed(byProfile) {
  const all = Object.values(byProfile ?? {}).flat();
  return {
    disturbed: all.filter((m) => m?.foreignCores > 0.25).length,
    retried: all.filter((m) => m?.attempts > 1).length,
    of: all.length,
  };
}

/** Status counts over every autocannon run of a target. */
export function statusTotals(raw, target) {
  const totals = {};
  for (const runs of Object.values(raw[target] ?? {})) {
    for (const m of runs) for (const [code, n] of Object.entries(m?.statuses ?? {})) totals[code] = (totals[code] ?? 0) + n;
  }
  return totals;
}

/** Each target of issue 8 with its measured value and pass/fail (null: not measured). */
export function verdicts(summary, raw, streaming) {
  const v = [];
  const fl = summary.faultline;
  const f100 = summary['faultline-100'];
  const ratio100 = spread(
    paired(series(raw, 'faultline-100', 'ac-c50', 'rps'), series(raw, 'faultline', 'ac-c50', 'rps'), (a, b) => a / b),
  );
  const ratio100wrk = spread(
    paired(series(raw, 'faultline-100', 'wrk-c50', 'rps'), series(raw, 'faultline', 'wrk-c50', 'rps'), (a, b) => a / b),
  );
  const check = (name, value, pass, how) => v.push({ target: name, value, pass: value === null ? null : pass, how });
  if (fl) {
    check(
      'pass-through req/s @50 ≥ 0.95 × floor',
      fl.vsFloor.autocannon.median,
      fl.vsFloor.autocannon.median >= 0.95,
      'autocannon, median of per-round ratios',
    );
    if (fl.vsFloor.wrk.median !== null)
      check('  (same, by wrk)', fl.vsFloor.wrk.median, fl.vsFloor.wrk.median >= 0.95, 'wrk, median of per-round ratios');
  }
  if (f100 && fl) {
    check(
      '100 non-matching rules ≥ 0.92 × pass-through',
      ratio100.median,
      ratio100.median >= 0.92,
      'autocannon @50, median of per-round ratios',
    );
    if (ratio100wrk.median !== null) check('  (same, by wrk)', ratio100wrk.median, ratio100wrk.median >= 0.92, 'wrk @50');
  }
  if (fl) {
    const wrkAdded = fl.addedP50UsOverFloor.median;
    if (wrkAdded !== null)
      check('p50 added latency @1 ≤ 30 µs over floor', wrkAdded, wrkAdded <= 30, 'wrk p50 µs, median of per-round differences');
    else
      check(
        'mean added latency @1 ≤ 30 µs over floor',
        fl.addedMeanUsOverFloor.median,
        fl.addedMeanUsOverFloor.median <= 30,
        'autocannon 1e6/(req/s), no wrk here',
      );
  }
  if (fl && fl.vsFloor.bigWrk.median !== null)
    check(
      '64 KiB responses ≥ 1.2 × floor (issue 16)',
      fl.vsFloor.bigWrk.median,
      fl.vsFloor.bigWrk.median >= 1.2,
      'wrk @50 on /64k, median of per-round ratios',
    );
  if (summary['faultline-507']) {
    const totals = statusTotals(raw, 'faultline-507');
    const all = Object.values(totals).reduce((a, b) => a + b, 0);
    const share = all === 0 ? null : (totals['507'] ?? 0) / all;
    const others = Object.keys(totals).filter((c) => c !== '200' && c !== '507');
    check(
      '10% rule: 507 share 10% ± 1 pp, rest 200',
      share === null ? null : share * 100,
      share !== null && Math.abs(share - 0.1) <= 0.01 && others.length === 0,
      `autocannon status counts over ${all} requests${others.length ? `; other statuses: ${others.join(',')}` : ''}`,
    );
  }
  for (const dir of ['upload', 'download']) {
    const peak = streaming?.targets?.faultline?.[dir]?.peakRssMiB ?? null;
    check(
      `${streaming === null ? 'streamed' : `${streaming.bytes / 2 ** 20} MiB`} ${dir}: faultline peak RSS < 120 MiB`,
      peak,
      peak < 120,
      'VmHWM, reset before the transfer',
    );
  }
  return v;
}
