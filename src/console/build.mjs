// Bundle the web console (src/console/ui/) into dist/console/: index.html, app.js, app.css and
// icon.svg, the files src/console/assets.ts serves. Run by `npm run build` after tsc.
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ui = new URL('./ui/', import.meta.url);
const out = new URL('../../dist/console/', import.meta.url);

await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: new URL('main.ts', ui).pathname },
  outdir: out.pathname,
  bundle: true,
  minify: true,
  format: 'iife',
  // Chromium, Firefox and Safari of the last few years; nothing here needs a polyfill.
  target: ['chrome109', 'firefox115', 'safari16'],
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'icon.svg']) await copyFile(new URL(file, ui), new URL(file, out));

if (process.argv.includes('--sizes')) {
  for (const file of ['index.html', 'app.js', 'app.css', 'icon.svg']) {
    const bytes = await readFile(new URL(file, out));
    console.log(
      `${file.padEnd(11)} ${String((await stat(new URL(file, out))).size).padStart(7)} B  ${String(gzipSync(bytes, { level: 9 }).length).padStart(6)} B gzip`,
    );
  }
}
