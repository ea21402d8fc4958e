/**
 * http-proxy 1.18.1 (unmaintained) calls `util._extend`, which Node 22 reports once as DEP0060 on
 * stderr at the first proxied request. That warning is about our dependency, not about anything a
 * user did, so it is dropped; every other warning is left alone.
 */
let installed = false;

export function silenceHttpProxyDeprecation(): void {
  if (installed) return;
  installed = true;
  const original = process.emitWarning.bind(process);
  const filtered = (warning: string | Error, ...rest: unknown[]): void => {
    const first = rest[0];
    const code = typeof first === 'object' && first !== null ? (first as { code?: unknown }).code : rest[1];
    if (code === 'DEP0060') return;
    (original as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
  };
  process.emitWarning = filtered;
}
