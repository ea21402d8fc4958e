import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createSecureContext, type Server as TlsServer } from 'node:tls';
import { FaultlineError } from '../errors.js';
import { watchScenarios } from '../scenario/watch.js';

/** Where the proxy listener's certificate comes from. */
export type TlsSource =
  | { readonly kind: 'files'; readonly certFile: string; readonly keyFile: string }
  | { readonly kind: 'self-signed'; readonly hosts: readonly string[]; readonly fingerprintFile: string | null };

/** A PEM certificate and its private key. */
export interface TlsPair {
  readonly cert: string;
  readonly key: string;
}

export interface TlsLog {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** The listener's certificate: what to start the server with, and how it stays current. */
export interface TlsIdentity {
  readonly pair: TlsPair;
  /** SHA-256 fingerprint of the certificate now served (colon-separated hex, as openssl prints it). */
  fingerprint(): string;
  /** Keep `server` serving the files' current certificate (files only; a no-op for self-signed). */
  follow(server: TlsServer): void;
  close(): void;
}

/**
 * Read (or make) the proxy listener's certificate. Files are checked to form a usable pair at start
 * (one clear line if not); once serving, a change to either file swaps the certificate for new
 * connections, and a bad pair is logged while the previous one keeps serving.
 */
export async function loadTlsIdentity(source: TlsSource, log: TlsLog): Promise<TlsIdentity> {
  // selfsigned (and its X.509 and ASN.1 libraries, about 13 MiB of RSS at start, measured) is loaded only when asked for.
  const pair =
    source.kind === 'files'
      ? readPair(source.certFile, source.keyFile)
      : await (await import('./self-signed.js')).makeSelfSigned(source.hosts);
  let fingerprint = fingerprintOf(pair.cert);
  if (source.kind === 'self-signed') {
    log.info({ fingerprint, hosts: source.hosts }, 'serving TLS with a self-signed certificate made at start');
    if (source.fingerprintFile !== null) writeFileSync(source.fingerprintFile, fingerprint + '\n');
    return { pair, fingerprint: () => fingerprint, follow: () => undefined, close: () => undefined };
  }
  const { certFile, keyFile } = source;
  let stop: (() => void) | null = null;
  return {
    pair,
    fingerprint: () => fingerprint,
    follow(server) {
      const watcher = watchScenarios([certFile, keyFile], () => {
        try {
          const next = readPair(certFile, keyFile);
          server.setSecureContext({ cert: next.cert, key: next.key });
          fingerprint = fingerprintOf(next.cert);
          log.info({ fingerprint }, 'TLS certificate reloaded');
        } catch (err) {
          log.error({ error: (err as Error).message }, 'TLS certificate reload rejected; the previous one keeps serving');
        }
      });
      stop = () => watcher.close();
    },
    close: () => stop?.(),
  };
}

function readPair(certFile: string, keyFile: string): TlsPair {
  const pair = { cert: readPem(certFile, '--tls-cert'), key: readPem(keyFile, '--tls-key') };
  fingerprintOf(pair.cert);
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new FaultlineError(
      'FAULTLINE_CONFIG_INVALID',
      `--tls-cert ${certFile} and --tls-key ${keyFile} do not form a usable pair: ${(err as Error).message}`,
    );
  }
  return pair;
}

function readPem(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new FaultlineError(
      'FAULTLINE_CONFIG_INVALID',
      `${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    );
  }
}

function fingerprintOf(cert: string): string {
  try {
    return new X509Certificate(cert).fingerprint256;
  } catch (err) {
    throw new FaultlineError('FAULTLINE_CONFIG_INVALID', `--tls-cert is not a PEM certificate: ${(err as Error).message}`);
  }
}
