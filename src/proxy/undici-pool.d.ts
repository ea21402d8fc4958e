/*
 * undici's Pool on its own: `import { Pool } from 'undici'` also loads fetch, WebSocket, the cache
 * and the rest of undici (about 19 MiB of RSS, measured); the Pool module alone is about 10 MiB.
 * undici 7 has no `exports` map, so the module path is public; its type is the package's own.
 */
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';
  const PoolClass: typeof Pool;
  export default PoolClass;
}
