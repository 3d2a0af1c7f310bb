// Root test of the helper's copyup: the image view across layers (whiteouts applied), and no
// symlink in the image can send the copy to the host's files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { copyUp } from '../../src/helper/copyup';

let base = '';
before(() => {
  if (process.getuid?.() !== 0) throw new Error('this test needs root: copyup mounts an overlay in a private mount namespace');
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-copyup-'));
});
after(() => fs.rmSync(base, { recursive: true, force: true }));

test('copies the merged view of the layers, honouring whiteouts, keeping symlinks as links', async () => {
  const l1 = path.join(base, 'l1');
  const l2 = path.join(base, 'l2');
  const dest = path.join(base, 'dest1');
  fs.mkdirSync(path.join(l1, 'www/sub'), { recursive: true });
  fs.writeFileSync(path.join(l1, 'www/a.txt'), 'a');
  fs.writeFileSync(path.join(l1, 'www/gone.txt'), 'should be whited out');
  fs.writeFileSync(path.join(l1, 'www/sub/b.txt'), 'b');
  fs.chmodSync(path.join(l1, 'www/sub/b.txt'), 0o640);
  fs.mkdirSync(path.join(l2, 'www'), { recursive: true });
  fs.writeFileSync(path.join(l2, 'www/c.txt'), 'c');
  fs.symlinkSync('/etc/passwd', path.join(l2, 'www/link'));
  execMknod(path.join(l2, 'www/gone.txt'));
  fs.mkdirSync(dest);
  // lowerdir order: top first
  const r = await copyUp([l2, l1], '/www', dest);
  assert.ok(r.files >= 4);
  assert.deepEqual(fs.readdirSync(dest).sort(), ['a.txt', 'c.txt', 'link', 'sub']);
  assert.equal(fs.readlinkSync(path.join(dest, 'link')), '/etc/passwd', 'a symlink is copied, not followed');
  assert.equal(fs.statSync(path.join(dest, 'sub/b.txt')).mode & 0o777, 0o640);
});

test('a symlink on the way to the path resolves inside the image, not on the host', async () => {
  const l = path.join(base, 'single');
  const dest = path.join(base, 'dest2');
  fs.mkdirSync(path.join(l, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(l, 'etc/in-image'), 'x');
  fs.symlinkSync('../../../../../../etc', path.join(l, 'www'));
  fs.mkdirSync(dest);
  await copyUp([l], '/www', dest);
  assert.deepEqual(fs.readdirSync(dest), ['in-image']);
});

test('a path the image lacks leaves the volume empty', async () => {
  const l = path.join(base, 'empty');
  const dest = path.join(base, 'dest3');
  fs.mkdirSync(l);
  fs.mkdirSync(dest);
  assert.deepEqual(await copyUp([l], '/nothing/here', dest), { files: 0, bytes: 0 });
  assert.deepEqual(fs.readdirSync(dest), []);
});

function execMknod(p: string) {
  // an overlay whiteout: a 0:0 character device
  const r = spawnSync('mknod', [p, 'c', '0', '0']);
  if (r.status !== 0) throw new Error(`mknod ${p}: ${r.stderr}`);
}
