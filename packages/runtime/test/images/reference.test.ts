import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { familiarName, normalizeReference, parseReference } from '../../src/images/reference';

describe('parseReference', () => {
  const cases: [string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.37.0-musl', 'docker.io/library/busybox:1.37.0-musl'],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox:1', 'docker.io/library/busybox:1'],
    ['user/app:v2', 'docker.io/user/app:v2'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/a/b:t', 'localhost:5000/a/b:t'],
    ['registry.example.com/team/app', 'registry.example.com/team/app:latest'],
    ['Registry.Example.com/app', 'Registry.Example.com/app:latest'],
    ['[::1]:5000/app:x', '[::1]:5000/app:x'],
    ['Host/app', 'Host/app:latest'], // an uppercase first component is a registry, as in Docker
    ['a__b/c-d.e_f', 'docker.io/a__b/c-d.e_f:latest'],
    [`busybox@sha256:${'a'.repeat(64)}`, `docker.io/library/busybox@sha256:${'a'.repeat(64)}`],
    [`busybox:1@sha256:${'b'.repeat(64)}`, `docker.io/library/busybox:1@sha256:${'b'.repeat(64)}`],
  ];
  for (const [input, want] of cases) {
    it(`normalises ${input}`, () => assert.equal(normalizeReference(input), want));
  }

  it('splits the parts', () => {
    assert.deepEqual(parseReference('localhost:5000/a/b:t'), { domain: 'localhost:5000', path: 'a/b', tag: 't', digest: undefined });
  });

  const bad = [
    '',
    'Busybox',
    'busybox:',
    'busybox:-x',
    ':tag',
    'a//b',
    'a/',
    '/a',
    'busybox@sha256:abc',
    `busybox@sha512:${'a'.repeat(128)}`,
    'a'.repeat(64),
    'busy box',
    'a..b',
    `x/${'a'.repeat(300)}`,
    'host:port/a',
  ];
  for (const input of bad) {
    it(`rejects ${JSON.stringify(input.slice(0, 40))} with invalid_argument naming it`, () => {
      assert.throws(
        () => parseReference(input),
        (e: any) => e.code === 'invalid_argument' && e.message.includes('invalid reference format') && e.message.includes(input.slice(0, 20)),
      );
    });
  }
});

describe('familiarName', () => {
  it('shortens docker hub official images', () => {
    assert.equal(familiarName('docker.io/library/busybox:1.37.0-musl'), 'busybox:1.37.0-musl');
    assert.equal(familiarName('busybox'), 'busybox:latest');
    assert.equal(familiarName('docker.io/user/app:v1'), 'user/app:v1');
    assert.equal(familiarName('docker.io/library/a/b:1'), 'library/a/b:1');
    assert.equal(familiarName('localhost:5000/a/b:t'), 'localhost:5000/a/b:t');
    assert.equal(familiarName(parseReference(`busybox@sha256:${'c'.repeat(64)}`)), `busybox@sha256:${'c'.repeat(64)}`);
  });
});
