import { isIP } from 'node:net';
import { generate } from 'selfsigned';

/** A certificate made at start for test clients to pin or trust. */
export interface SelfSignedCertificate {
  readonly cert: string;
  readonly key: string;
}

/**
 * A self-signed certificate for the given host names and addresses (each one a subjectAltName,
 * the first one also the common name), EC P-256, valid for a year from a minute ago.
 */
export async function makeSelfSigned(hosts: readonly string[]): Promise<SelfSignedCertificate> {
  const names = hosts.length === 0 ? ['localhost', '127.0.0.1', '::1'] : hosts;
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: names[0] ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((n) => (isIP(n) === 0 ? { type: 2 as const, value: n } : { type: 7 as const, ip: n })),
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
