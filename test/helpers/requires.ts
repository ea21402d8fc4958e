import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Tests that drive a system program (redis-server, chromium, promtool, curl, openssl) skip when it
 * is missing, and say so once: each skip is written to a directory that test/skips.ts (vitest's
 * globalSetup) prints as a summary at the end of the run, one line per missing program with its
 * Debian package. FAULTLINE_TEST_WITHOUT=redis-server,chromium pretends they are missing (to see
 * what a fresh machine runs).
 */

export interface SystemProgram {
  /** The executable's name (looked up on PATH) or absolute path. */
  readonly program: string;
  /** The Debian/Ubuntu package that provides it. */
  readonly debianPackage: string;
}

export const REDIS_SERVER: SystemProgram = { program: 'redis-server', debianPackage: 'redis-server' };
export const CHROMIUM: SystemProgram = { program: '/usr/bin/chromium', debianPackage: 'chromium' };
export const PROMTOOL: SystemProgram = { program: 'promtool', debianPackage: 'prometheus' };
export const CURL: SystemProgram = { program: 'curl', debianPackage: 'curl' };
export const OPENSSL: SystemProgram = { program: 'openssl', debianPackage: 'openssl' };
export const RCLONE: SystemProgram = { program: 'rclone', debianPackage: 'rclone' };
/** nginx with the WebDAV dav-ext module (PROPFIND), loaded from NGINX_DAV_EXT_MODULE. */
export const NGINX_DAV: SystemProgram = { program: '/usr/sbin/nginx', debianPackage: 'nginx libnginx-mod-http-dav-ext' };
export const NGINX_DAV_EXT_MODULE = '/usr/lib/nginx/modules/ngx_http_dav_ext_module.so';

/** Where skips are recorded for the summary; set by test/skips.ts. */
export const SKIP_DIR_ENV = 'FAULTLINE_TEST_SKIP_DIR';

/** The program's path, or null when it is not installed (or listed in FAULTLINE_TEST_WITHOUT). */
export function locate(p: SystemProgram): string | null {
  const without = (process.env.FAULTLINE_TEST_WITHOUT ?? '').split(',').map((s) => s.trim());
  const name = p.program.split('/').pop() as string;
  if (without.includes(name) || without.includes(p.debianPackage)) return null;
  const candidates = p.program.includes('/')
    ? [p.program]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter((d) => d !== '')
        .map((d) => join(d, p.program));
  return candidates.find(executable) ?? null;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Is `p` installed? When not, records that the tests of `testFile` (pass `import.meta.url`) are
 * skipped for it, for the end-of-run summary. Use as `describe.skipIf(!requires(REDIS_SERVER, import.meta.url))`.
 */
export function requires(p: SystemProgram, testFile: string): boolean {
  if (locate(p) !== null) return true;
  const dir = process.env[SKIP_DIR_ENV];
  if (dir !== undefined && dir !== '') {
    mkdirSync(dir, { recursive: true });
    const file = relative(process.cwd(), fileURLToPath(testFile));
    const record = JSON.stringify({ program: p.program.split('/').pop(), debianPackage: p.debianPackage, file });
    writeFileSync(join(dir, `${Buffer.from(record).toString('base64url')}.json`), record);
  }
  return false;
}
