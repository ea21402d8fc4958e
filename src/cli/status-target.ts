import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultline } from '../app/faultline.js';
import { loadSettings } from '../config/load.js';
import { formatHostPort } from '../config/settings.js';
import { createDemoUpstream } from '../demo/upstream.js';
import { createLogger } from '../log/logger.js';
import { listen } from '../net/listen.js';

/**
 * For `faultline inspect --status N`: the real proxy, in this process, in front of the demo
 * upstream, with one rule injecting N the way the README recommends writing it (with `retryAfter`
 * for 429 and 503). The inspector then reviews exactly what a client would get.
 */
export async function startStatusTarget(status: number): Promise<{ url: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-inspect-'));
  const file = join(dir, 'inspect.yaml');
  const retry = status === 429 || status === 503 ? ', retryAfter: 30' : '';
  writeFileSync(file, `version: 1\nrules:\n  - name: inspect-${status}\n    fault: { status: ${status}${retry} }\n`);
  const upstream = createDemoUpstream();
  const at = await listen(upstream, { host: '127.0.0.1', port: 0 }, 'the demo upstream');
  const flags = new Map<string, string | string[]>([
    ['upstream', `http://${formatHostPort(at)}`],
    ['listen', '127.0.0.1:0'],
    ['admin', '127.0.0.1:0'],
    ['scenarios', [file]],
  ]);
  const settings = loadSettings({ flags, env: {}, configFile: null });
  const app = await startFaultline(settings, { log: createLogger({ level: 'silent' }), watch: false });
  return {
    url: `http://127.0.0.1:${app.proxyAddress.port}/inspect/${status}`,
    close: async () => {
      await app.close(100);
      await new Promise<void>((r) => upstream.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
