// TLS for remote agents: the agent's certificate and key, either the operator's
// (BERTH_TLS_CERT/BERTH_TLS_KEY) or a self-signed pair generated with openssl on first start under
// the data root (key 0600). Clients pin the certificate by its SHA-256 fingerprint
// (BERTH_AGENT_FINGERPRINT, see client/pinned-tls.ts); the bearer token is still required.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** SHA-256 of the certificate's DER, as AB:CD:... (what openssl x509 -fingerprint -sha256 prints) */
  fingerprint: string;
  certFile: string;
}

export function certFingerprint(certPem: Buffer | string): string {
  return new crypto.X509Certificate(certPem).fingerprint256;
}

/** Generates the self-signed pair if it is missing: EC P-256, ten years, SANs for the listen
 * address, localhost, 127.0.0.1 and the host name (pinning does not depend on them). */
function generateSelfSigned(dir: string, host: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const ip = (s: string) => /^[\d.]+$|:/.test(s);
  const names = [...new Set(['localhost', '127.0.0.1', os.hostname(), host === '0.0.0.0' || host === '::' ? '' : host].filter(Boolean))];
  const san = names.map((n) => (ip(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  const tmpKey = `${key}.tmp`;
  const tmpCert = `${cert}.tmp`;
  fs.rmSync(tmpKey, { force: true });
  fs.writeFileSync(tmpKey, '', { mode: 0o600 }); // created 0600 before openssl writes the key into it
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', tmpKey, '-out', tmpCert, '-days', '3650', '-subj', '/CN=berth-agent', '-addext', `subjectAltName=${san}`],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) {
    fs.rmSync(tmpKey, { force: true });
    fs.rmSync(tmpCert, { force: true });
    throw new Error(`generating the agent's TLS certificate with openssl failed: ${(r.stderr || r.error?.message || '').trim()}`);
  }
  fs.chmodSync(tmpKey, 0o600);
  fs.renameSync(tmpKey, key);
  fs.renameSync(tmpCert, cert);
}

/** The agent's TLS material, or undefined when TLS is off (no BERTH_TLS_CERT and BERTH_TLS unset). */
export function loadTls(o: { root: string; host: string; certFile?: string; keyFile?: string; generate: boolean }): TlsMaterial | undefined {
  let certFile = o.certFile;
  let keyFile = o.keyFile;
  if (!certFile && !keyFile) {
    if (!o.generate) return undefined;
    const dir = path.join(o.root, 'tls');
    certFile = path.join(dir, 'cert.pem');
    keyFile = path.join(dir, 'key.pem');
    if (!fs.existsSync(certFile) || !fs.existsSync(keyFile)) generateSelfSigned(dir, o.host);
  }
  if (!certFile || !keyFile) throw new Error('BERTH_TLS_CERT and BERTH_TLS_KEY go together: set both, or neither (BERTH_TLS=1 generates a self-signed pair)');
  const read = (f: string, what: string) => {
    try {
      return fs.readFileSync(f);
    } catch (e) {
      throw new Error(`reading the agent's TLS ${what} ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const cert = read(certFile, 'certificate');
  const key = read(keyFile, 'key');
  if ((fs.statSync(keyFile).mode & 0o077) !== 0) throw new Error(`the agent's TLS key ${keyFile} is readable by others: chmod 600 it`);
  let fingerprint: string;
  try {
    fingerprint = certFingerprint(cert);
  } catch (e) {
    throw new Error(`the agent's TLS certificate ${certFile} is not a PEM certificate: ${(e as Error).message}`);
  }
  return { cert, key, fingerprint, certFile };
}
