import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DOCKER_HUB_KEY, dockerConfigPath, eraseCredentials, readCredentials, storeCredentials } from '../../src/registry/credentials';

const tmp = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cred-')), 'config.json');
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe("credentials in Docker's config.json format", () => {
  it('finds the file through DOCKER_CONFIG, else HOME', () => {
    assert.equal(dockerConfigPath({ DOCKER_CONFIG: '/x' }), '/x/config.json');
    assert.equal(dockerConfigPath({ HOME: '/home/u' }), '/home/u/.docker/config.json');
  });
  it("reads Docker's entries: base64 auth, username/password, identity tokens, Hub's legacy key, scheme-prefixed keys", () => {
    const f = tmp();
    fs.writeFileSync(
      f,
      JSON.stringify({
        auths: {
          [DOCKER_HUB_KEY]: { auth: b64('hubuser:hubpass') },
          'https://reg.example:5000/v2/': { auth: b64('a:b:c') },
          'other.example': { username: 'u', password: 'p' },
          'tok.example': { identitytoken: 'refresh-me' },
        },
        credsStore: 'desktop',
      }),
    );
    assert.deepEqual(readCredentials('docker.io', f), { username: 'hubuser', password: 'hubpass' });
    assert.deepEqual(readCredentials('reg.example:5000', f), { username: 'a', password: 'b:c' });
    assert.deepEqual(readCredentials('other.example', f), { username: 'u', password: 'p' });
    assert.deepEqual(readCredentials('tok.example', f), { username: undefined, identityToken: 'refresh-me' });
    assert.equal(readCredentials('nowhere.example', f), undefined);
    assert.equal(readCredentials('x', path.join(path.dirname(f), 'absent.json')), undefined);
  });
  it('stores as Docker does (mode 0600, other keys kept) and erases', () => {
    const f = tmp();
    fs.writeFileSync(f, JSON.stringify({ credsStore: 'x', auths: { 'keep.example': { auth: b64('k:k') } } }));
    storeCredentials('127.0.0.1:5000', 'me', 'pw', f);
    storeCredentials('docker.io', 'hub', 'hp', f);
    const cfg = JSON.parse(fs.readFileSync(f, 'utf8'));
    assert.equal(cfg.credsStore, 'x');
    assert.equal(cfg.auths['127.0.0.1:5000'].auth, b64('me:pw'));
    assert.equal(cfg.auths[DOCKER_HUB_KEY].auth, b64('hub:hp'));
    assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    assert.equal(eraseCredentials('127.0.0.1:5000', f), true);
    assert.equal(eraseCredentials('127.0.0.1:5000', f), false);
    assert.equal(readCredentials('127.0.0.1:5000', f), undefined);
    assert.deepEqual(readCredentials('keep.example', f), { username: 'k', password: 'k' });
  });
});
