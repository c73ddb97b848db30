// Self-signed certificate for TLS tests (127.0.0.1 and localhost), made once per test file.
import { generate } from 'selfsigned';

export interface TestCert {
  key: string;
  cert: string;
}

let pending: Promise<TestCert> | null = null;

/** A fresh self-signed RSA-2048/SHA-256 certificate for CN=localhost, SAN localhost + 127.0.0.1. */
export function testCert(): Promise<TestCert> {
  pending ??= generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    days: 2,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  } as Parameters<typeof generate>[1]).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return pending;
}
