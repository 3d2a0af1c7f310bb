// Root integration tests of `berth-helper unpack`: real layers, malicious archives, whiteouts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import tar from 'tar-stream';
import { isBerthError } from '../../src/errors';
import { unpackLayer } from '../../src/helper/unpack';
import { IMAGES, layerBlob, requireRoot, tempDir } from './fixtures';

const dirs: string[] = [];
const mk = (p: string) => {
  const d = tempDir(p);
  dirs.push(d);
  return d;
};

before(() => requireRoot());
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; linkname?: string; body?: string; pax?: Record<string, string> };

function tarOf(entries: Entry[]): Readable {
  const pack = tar.pack();
  for (const e of entries) {
    pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.type === 'directory' ? 0o755 : 0o644, pax: e.pax }, e.body ?? '');
  }
  pack.finalize();
  return pack as unknown as Readable;
}

test('unpacks the busybox-musl layer', async () => {
  const t = mk('bb');
  const r = await unpackLayer(t, fs.createReadStream(layerBlob('busybox-musl')));
  assert.ok(r.files > 10);
  assert.ok(r.bytes > 100000);
  const st = fs.statSync(path.join(t, 'bin/busybox'));
  assert.ok(st.isFile() && st.mode & 0o111);
  assert.ok(fs.lstatSync(path.join(t, 'bin/sh')).nlink >= 1);
});

test('unpacks the alpine minirootfs tarball', async () => {
  const t = mk('alpine');
  await unpackLayer(t, fs.createReadStream(path.join(IMAGES, 'alpine-minirootfs-3.20.3-x86_64.tar.gz')));
  assert.equal(fs.readFileSync(path.join(t, 'etc/alpine-release'), 'utf8').trim(), '3.20.3');
  assert.ok(fs.lstatSync(path.join(t, 'bin/sh')).isSymbolicLink());
  const shadow = fs.statSync(path.join(t, 'etc/shadow'));
  assert.equal(shadow.mode & 0o777, 0o640);
  assert.equal(shadow.gid, 42);
});

test('keeps setuid modes, numeric owners and mtimes', async () => {
  const t = mk('modes');
  const pack = tar.pack();
  pack.entry({ name: 'suid', mode: 0o4755, uid: 1234, gid: 5678, mtime: new Date('2020-01-02T03:04:05Z') }, 'x');
  pack.entry({ name: 'fifo', type: 'fifo', mode: 0o600 });
  pack.finalize();
  await unpackLayer(t, pack as unknown as Readable);
  const st = fs.statSync(path.join(t, 'suid'));
  assert.equal(st.mode & 0o7777, 0o4755);
  assert.equal(st.uid, 1234);
  assert.equal(st.gid, 5678);
  assert.equal(st.mtime.toISOString(), '2020-01-02T03:04:05.000Z');
  assert.ok(fs.statSync(path.join(t, 'fifo')).isFIFO());
});

test('names, symlinks and absolute paths in an archive cannot leave the target', async () => {
  const base = mk('evil');
  const target = path.join(base, 'a', 'b', 'target');
  fs.mkdirSync(target, { recursive: true });
  const tag = path.basename(base);
  await unpackLayer(
    target,
    tarOf([
      { name: `../../escape-${tag}`, body: 'x' },
      { name: `/etc/evil-${tag}`, body: 'x' },
      { name: 'a', type: 'symlink', linkname: '/' },
      { name: `a/etc/evil2-${tag}`, body: 'x' },
    ]),
  );
  assert.ok(!fs.existsSync(path.join(base, 'a', `escape-${tag}`)));
  assert.ok(!fs.existsSync(path.join(base, `escape-${tag}`)));
  assert.ok(!fs.existsSync(`/etc/evil-${tag}`));
  assert.ok(!fs.existsSync(`/etc/evil2-${tag}`));
  assert.ok(fs.existsSync(path.join(target, `escape-${tag}`)));
  assert.ok(fs.existsSync(path.join(target, `etc/evil-${tag}`)));
  assert.ok(fs.existsSync(path.join(target, `etc/evil2-${tag}`)));
});

test('a hardlink to a host file is not created', async () => {
  const target = mk('hardlink');
  const before = fs.statSync('/etc/shadow').nlink;
  await assert.rejects(unpackLayer(target, tarOf([{ name: 'h', type: 'link', linkname: '/etc/shadow' }])), (e) => {
    assert.ok(isBerthError(e));
    assert.match(e.message, /h/);
    return true;
  });
  assert.equal(fs.statSync('/etc/shadow').nlink, before);
  assert.ok(!fs.existsSync(path.join(target, 'h')));
});

test('whiteouts become overlayfs whiteouts', async () => {
  const t = mk('wh');
  await unpackLayer(
    t,
    tarOf([
      { name: 'd/', type: 'directory' },
      { name: 'd/.wh.foo' },
      { name: 'o/', type: 'directory' },
      { name: 'o/.wh..wh..opq' },
      { name: '.wh.top' },
    ]),
  );
  const st = fs.statSync(path.join(t, 'd/foo'));
  assert.ok(st.isCharacterDevice());
  assert.equal(st.rdev, 0);
  assert.ok(fs.statSync(path.join(t, 'top')).isCharacterDevice());
  assert.ok(!fs.existsSync(path.join(t, 'd/.wh.foo')));
  assert.ok(!fs.existsSync(path.join(t, 'o/.wh..wh..opq')));
  const xattr = execFileSync('python3', ['-c', 'import os,sys;print(os.getxattr(sys.argv[1],"trusted.overlay.opaque").decode())', path.join(t, 'o')]);
  assert.equal(xattr.toString().trim(), 'y');
});

test('a truncated gzip layer fails naming the problem', async () => {
  const t = mk('trunc');
  const data = fs.readFileSync(layerBlob('busybox-musl'));
  await assert.rejects(unpackLayer(t, Readable.from([data.subarray(0, Math.floor(data.length / 2))])), (e) => {
    assert.ok(isBerthError(e));
    assert.equal(e.code, 'internal');
    assert.match(e.message, /truncated|unexpected end|damaged/i);
    return true;
  });
});
