/** Number formats shared by the panels. */

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `9 MiB`, `1.5 GiB`, `312 B`: how the scenarios write sizes. */
export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < IEC.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : Number(value.toFixed(value < 10 ? 2 : 1))} ${IEC[unit] ?? 'B'}`;
}

/** A quota amount in its unit: bytes as IEC sizes, requests as a count. */
export function formatAmount(n: number, unit: string): string {
  return unit === 'bytes' ? formatBytes(n) : `${formatCount(n)} ${n === 1 ? 'request' : 'requests'}`;
}

const COUNT = new Intl.NumberFormat('en');

export function formatCount(n: number): string {
  return COUNT.format(n);
}

/** A rate per second: `0`, `0.5`, `12`, `1.2k`. */
export function formatRate(r: number): string {
  if (r === 0) return '0';
  if (r < 10) return String(Number(r.toFixed(1)));
  if (r < 1000) return String(Math.round(r));
  return `${Number((r / 1000).toFixed(1))}k`;
}

/** `25%`, `0.5%`: a probability as scenarios write it (the admin API accepts the same). */
export function formatPercent(p: number): string {
  return `${Number((p * 100).toFixed(4))}%`;
}

/** `1h`, `30m`, `1d`: a quota period. */
export function formatPeriod(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [size, name] of units) if (ms >= size && ms % size === 0) return `${ms / size}${name}`;
  return `${ms}ms`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** `14:05:09`: the one clock format of the console (24-hour, whatever the browser's locale), charts included. */
export function formatClock(d: Date): string {
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
