// Self-signed certificate for the examples, made on first use into the
// repository's gitignored .certs/ directory (selfsigned when installed, else
// the openssl CLI).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const CERT_DIR = path.join(__dirname, '..', '.certs');
const KEY_FILE = path.join(CERT_DIR, 'server.key');
const CERT_FILE = path.join(CERT_DIR, 'server.crt');

/**
 * Returns `{ key, cert, keyFile, certFile, created }` for CN=localhost with
 * subjectAltName localhost and 127.0.0.1, creating it when missing.
 */
async function ensureCertificate() {
  if (fs.existsSync(KEY_FILE) && fs.existsSync(CERT_FILE)) {
    return { key: fs.readFileSync(KEY_FILE), cert: fs.readFileSync(CERT_FILE), keyFile: KEY_FILE, certFile: CERT_FILE, created: false };
  }
  fs.mkdirSync(CERT_DIR, { recursive: true });
  let key;
  let cert;
  try {
    const selfsigned = require('selfsigned');
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      days: 365,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
      ],
    });
    key = pems.private;
    cert = pems.cert;
  } catch (err) {
    if (err && err.code !== 'MODULE_NOT_FOUND') throw err;
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '365',
      '-keyout', KEY_FILE, '-out', CERT_FILE, '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    key = fs.readFileSync(KEY_FILE, 'utf8');
    cert = fs.readFileSync(CERT_FILE, 'utf8');
  }
  fs.writeFileSync(KEY_FILE, key, { mode: 0o600 });
  fs.writeFileSync(CERT_FILE, cert);
  return { key: Buffer.from(key), cert: Buffer.from(cert), keyFile: KEY_FILE, certFile: CERT_FILE, created: true };
}

module.exports = { ensureCertificate, CERT_DIR };
