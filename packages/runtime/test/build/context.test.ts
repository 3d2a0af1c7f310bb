// COPY sources resolved inside the context: no `..` escape, symlinks followed only as if the
// context were the root, Docker's file/dir destination rules, content hash for the cache.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkSource, copyEntries, hashEntries, resolveInRoot } from '../../src/build/context';

describe('build context', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-ctx-test-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, 'dir/sub'), { recursive: true });
  fs.writeFileSync(path.join(root, 'dir/a.txt'), 'a');
  fs.writeFileSync(path.join(root, 'dir/sub/b.txt'), 'b');
  fs.writeFileSync(path.join(root, 'top.txt'), 'top');
  fs.symlinkSync('/etc', path.join(root, 'etclink'));
  fs.symlinkSync('../../../../..', path.join(root, 'uplink'));

  test('sources climbing out of the context are refused', () => {
    assert.throws(() => checkSource('../x'), /forbidden path outside the build context/);
    assert.throws(() => checkSource('dir/../../x'), /forbidden path/);
    assert.equal(checkSource('/dir/./a.txt'), 'dir/a.txt');
    assert.equal(checkSource('.'), '');
  });

  test('symlinks resolve with the context as the root', () => {
    assert.equal(resolveInRoot(root, 'etclink/passwd', { followLast: true }), path.join(root, 'etc/passwd'));
    assert.equal(resolveInRoot(root, 'uplink/top.txt', { followLast: true }), path.join(root, 'top.txt'));
    assert.equal(resolveInRoot(root, 'etclink', { followLast: false }), path.join(root, 'etclink'));
    assert.throws(() => copyEntries(root, ['etclink/passwd'], '/x', '/'), /not found in the build context/);
  });

  test("a directory's contents go into the destination; a file keeps its name under dest/", () => {
    const e = copyEntries(root, ['dir'], '/app', '/');
    assert.deepEqual(e.map((x) => `${x.type[0]} ${x.name}`), ['d app', 'f app/a.txt', 'd app/sub', 'f app/sub/b.txt']);
    const f = copyEntries(root, ['top.txt'], 'dest/', '/work');
    assert.deepEqual(f.map((x) => x.name), ['work', 'work/dest', 'work/dest/top.txt']);
    const renamed = copyEntries(root, ['top.txt'], '/renamed', '/');
    assert.deepEqual(renamed.map((x) => x.name), ['renamed']);
    const glob = copyEntries(root, ['dir/*.txt'], '/g/', '/');
    assert.deepEqual(glob.map((x) => x.name), ['g', 'g/a.txt']);
  });

  test('the content hash changes with content, not with mtimes', () => {
    const h1 = hashEntries(copyEntries(root, ['dir'], '/app', '/'));
    fs.utimesSync(path.join(root, 'dir/a.txt'), new Date(1000), new Date(1000));
    assert.equal(hashEntries(copyEntries(root, ['dir'], '/app', '/')), h1);
    fs.writeFileSync(path.join(root, 'dir/a.txt'), 'changed');
    assert.notEqual(hashEntries(copyEntries(root, ['dir'], '/app', '/')), h1);
  });
});
