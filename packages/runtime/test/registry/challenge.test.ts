import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChallenges } from '../../src/registry/challenge';
import { registryEndpoint, isLoopback } from '../../src/registry/endpoint';

describe('WWW-Authenticate parsing', () => {
  it('reads a bearer challenge with quoted params (Docker Hub style)', () => {
    const c = parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"');
    assert.deepEqual(c, [
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
    ]);
  });
  it('reads basic, unquoted values, escapes, commas inside quotes and several challenges', () => {
    const c = parseChallenges('Basic realm="a \\"b\\", c", Bearer realm=https://x/t , service=svc');
    assert.equal(c.length, 2);
    assert.deepEqual(c[0], { scheme: 'basic', params: { realm: 'a "b", c' } });
    assert.deepEqual(c[1], { scheme: 'bearer', params: { realm: 'https://x/t', service: 'svc' } });
  });
  it('is empty for a missing header and survives junk', () => {
    assert.deepEqual(parseChallenges(null), []);
    assert.doesNotThrow(() => parseChallenges('=,,"" ;;; Bearer'));
  });
});

describe('registry endpoints', () => {
  it('maps docker.io to its API host over https', () => {
    assert.equal(registryEndpoint('docker.io').baseUrl, 'https://registry-1.docker.io');
  });
  it('uses plain http only for loopback and registries marked insecure', () => {
    assert.equal(registryEndpoint('localhost:5000').baseUrl, 'http://localhost:5000');
    assert.equal(registryEndpoint('127.0.0.1:5000').baseUrl, 'http://127.0.0.1:5000');
    assert.equal(registryEndpoint('reg.example:5000').baseUrl, 'https://reg.example:5000');
    assert.equal(registryEndpoint('reg.example:5000', ['reg.example:5000']).baseUrl, 'http://reg.example:5000');
    assert.equal(registryEndpoint('reg.example', ['reg.example']).insecure, true);
    assert.equal(isLoopback('127.0.0.1.example.com'), false);
  });
});
