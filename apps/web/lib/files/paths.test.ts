import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childPath, modeString, parentPath, pathCrumbs } from './paths';

test('paths: child, parent, crumbs', () => {
  assert.equal(childPath('/', 'etc'), '/etc');
  assert.equal(childPath('/etc', 'ssl'), '/etc/ssl');
  assert.equal(parentPath('/etc/ssl'), '/etc');
  assert.equal(parentPath('/etc'), '/');
  assert.equal(parentPath('/'), '/');
  assert.deepEqual(pathCrumbs('/etc/ssl'), [
    { label: '/', path: '/' },
    { label: 'etc/', path: '/etc' },
    { label: 'ssl/', path: '/etc/ssl' },
  ]);
});

test('modes read like ls -l', () => {
  assert.equal(modeString('dir', 0o755), 'drwxr-xr-x');
  assert.equal(modeString('file', 0o4755), '-rwsr-xr-x');
  assert.equal(modeString('dir', 0o1777), 'drwxrwxrwt');
  assert.equal(modeString('file', 0o2644), '-rw-r-Sr--');
  assert.equal(modeString('symlink', 0o777), 'lrwxrwxrwx');
});
