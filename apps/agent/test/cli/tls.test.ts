// TLS for remote agents (issue 7): an agent listening with TLS (a self-signed certificate it
// generates, or the operator's), the CLI pinning it by SHA-256 fingerprint, the token still required.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { TestAgent, imagesDir, requireRoot } from '../helpers/test-agent';

const BB = 'busybox:1.37.0-musl';

/** What openssl says the certificate's SHA-256 fingerprint is: "AB:CD:..." */
function opensslFingerprint(certFile: string): string {
  const r = spawnSync('openssl', ['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().replace(/^.*=/, '');
}

describe('an agent with TLS, the CLI pinning its certificate (real agent, as root)', () => {
  const agent = new TestAgent({ agentEnv: { BERTH_TLS: '1' } });
  let fingerprint = '';
  let certFile = '';

  before(async () => {
    requireRoot();
    await agent.start();
    certFile = path.join(agent.root, 'tls', 'cert.pem');
    fingerprint = opensslFingerprint(certFile);
  });
  after(() => agent.dispose());

  const pinned = (fp = fingerprint) => ({ env: { BERTH_AGENT_FINGERPRINT: fp } });

  test('the agent generated a self-signed pair under its data root, key 0600, and logs the fingerprint', () => {
    assert.match(agent.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const key = path.join(agent.root, 'tls', 'key.pem');
    assert.equal(fs.statSync(key).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(key)).mode & 0o077, 0);
    assert.match(fs.readFileSync(key, 'utf8'), /PRIVATE KEY/);
    assert.ok(agent.logs.includes(`sha256 fingerprint ${fingerprint}`), agent.logs);
  });

  test('the CLI with the right fingerprint works (ps, run with output, load)', () => {
    assert.match(agent.ok(['ps'], pinned()), /^CONTAINER ID/);
    // lowercase, without colons, with a sha256: prefix: the same pin
    assert.match(agent.ok(['ps', '-a'], pinned(`sha256:${fingerprint.replace(/:/g, '').toLowerCase()}`)), /^CONTAINER ID/);
    agent.ok(['load', '-i', path.join(imagesDir, 'busybox-musl')], pinned());
    // run without -d goes over the attach WebSocket: pinned too
    assert.equal(agent.ok(['run', '--rm', BB, 'echo', 'over tls'], pinned()), 'over tls\n');
  });

  test('a wrong fingerprint fails naming the mismatch, before the token is sent', () => {
    const wrong = crypto.randomBytes(32).toString('hex').toUpperCase().match(/../g)!.join(':');
    for (const args of [['ps'], ['run', '--rm', BB, 'true']]) {
      const r = agent.cli(args, pinned(wrong));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, new RegExp(`presented a TLS certificate with sha256 fingerprint ${fingerprint}, but BERTH_AGENT_FINGERPRINT is ${wrong}`), r.stderr);
    }
    const bad = agent.cli(['ps'], pinned('nothex'));
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /BERTH_AGENT_FINGERPRINT must be a SHA-256 fingerprint/);
  });

  test('without a pin the self-signed certificate is not trusted', () => {
    const r = agent.cli(['ps']);
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stdout, /CONTAINER ID/);
    assert.match(r.stderr, /TLS certificate is not trusted .*pin it with BERTH_AGENT_FINGERPRINT/);
  });

  test('plain HTTP to the TLS port fails', async () => {
    const port = new URL(agent.url).port;
    const r = agent.cli(['ps'], { env: { BERTH_AGENT_URL: `http://127.0.0.1:${port}` } });
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stdout, /CONTAINER ID/);
    const status = await new Promise<string>((resolve) => {
      const req = http.get(`http://127.0.0.1:${port}/trpc/containers.list`, { headers: { authorization: `Bearer ${agent.token}` } }, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (e) => resolve(`error ${e.message}`));
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    });
    assert.doesNotMatch(status, /^status 2/);
  });

  test('the token is still required over TLS', async () => {
    for (const token of ['', 'wrong-token-wrong-token']) {
      const r = agent.cli(['ps'], { env: { BERTH_AGENT_FINGERPRINT: fingerprint, BERTH_TOKEN: token || 'x'.repeat(16) } });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /missing or wrong agent token|UNAUTHORIZED|unauthenticated/i);
    }
    // and a raw HTTPS request without it gets 401, with the certificate checked by its pin
    const ca = fs.readFileSync(certFile);
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.get(`${agent.url}/trpc/containers.list`, { ca, checkServerIdentity: () => undefined }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    assert.equal(status, 401);
  });
});

describe('an agent with the operator\'s certificate (BERTH_TLS_CERT/BERTH_TLS_KEY)', () => {
  const dir = fs.mkdtempSync(path.join('/var/tmp', 'berth-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  let agent: TestAgent;

  before(async () => {
    requireRoot();
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=operator'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    fs.chmodSync(key, 0o600);
    agent = new TestAgent({ agentEnv: { BERTH_TLS_CERT: cert, BERTH_TLS_KEY: key } });
    await agent.start();
  });
  after(async () => {
    await agent?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('serves that certificate; the CLI pinned to it works, and nothing is generated', () => {
    assert.match(agent.url, /^https:/);
    assert.match(agent.ok(['ps'], { env: { BERTH_AGENT_FINGERPRINT: opensslFingerprint(cert) } }), /^CONTAINER ID/);
    assert.equal(fs.existsSync(path.join(agent.root, 'tls')), false);
  });
});
