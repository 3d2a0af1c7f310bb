import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onHost } from './audit';

test('audit targets name an added host and leave the local agent unnamed', () => {
  assert.equal(onHost({ id: 'local', name: 'local' }, 'web'), 'web');
  assert.equal(onHost({ id: '3', name: 'build-box' }, 'web'), 'build-box: web');
  assert.equal(onHost({ id: '3', name: 'build-box' }, ''), 'build-box:');
});
