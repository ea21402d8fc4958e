import { request } from '../helpers/http.js';

/** One sample line of the text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parse the sample lines of a Prometheus text exposition (comments skipped). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`unparsable sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** `GET /metrics` on the admin listener, parsed; `value()` finds one series by its exact labels. */
export async function scrape(
  admin: string,
): Promise<{ text: string; samples: Sample[]; value(name: string, labels?: Record<string, string>): number | undefined }> {
  const reply = await request(`${admin}/metrics`);
  if (reply.status !== 200) throw new Error(`GET /metrics: ${reply.status} ${reply.text}`);
  const samples = parseExposition(reply.text);
  return {
    text: reply.text,
    samples,
    value(name, labels = {}) {
      const want = Object.entries(labels);
      const hit = samples.find(
        (s) => s.name === name && Object.keys(s.labels).length === want.length && want.every(([k, v]) => s.labels[k] === v),
      );
      return hit?.value;
    },
  };
}
