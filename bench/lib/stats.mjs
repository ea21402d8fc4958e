/** Median of the finite numbers in `xs`, or null when there are none. */
export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function min(xs) {
  const v = xs.filter(Number.isFinite);
  return v.length === 0 ? null : Math.min(...v);
}

export function max(xs) {
  const v = xs.filter(Number.isFinite);
  return v.length === 0 ? null : Math.max(...v);
}

/** Element-wise f(a[i], b[i]) over two per-round series, skipping rounds where either is missing. */
export function paired(a, b, f) {
  const out = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) out.push(f(a[i], b[i]));
  }
  return out;
}

/** { median, min, max } of a series (null members when empty). */
export function spread(xs) {
  return { median: median(xs), min: min(xs), max: max(xs), n: xs.filter(Number.isFinite).length };
}
