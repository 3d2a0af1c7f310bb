// ImageService against a temp data root with the fake unpacker (no root needed).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { ContentStore } from '../../src/content/store';
import { ImageService } from '../../src/images/image-store';
import { openMetadata } from '../../src/metadata/db';
import { runtimePaths } from '../../src/paths';
import { SnapshotStore } from '../../src/snapshots/store';
import {
  buildImage,
  dockerSaveFromOci,
  fakeUnpack,
  layer,
  listTree,
  sha,
  tarBuffer,
  tarDir,
  tempDir,
  writeOciLayout,
  type BuiltLayer,
} from './fixtures';

function service(root: string, inUse = new Set<string>()) {
  const p = runtimePaths(root, path.join(root, 'run'));
  const db = openMetadata(p.db);
  const content = new ContentStore(p.contentBlobs, p.contentIngest);
  const snapshots = new SnapshotStore(p.snapshots);
  const images = new ImageService({ db, content, snapshots, unpack: fakeUnpack, tmpDir: p.tmp, isImageInUse: (id) => inUse.has(id) });
  return { p, db, content, snapshots, images, inUse };
}

const treeOf = (root: string) => listTree(root, (rel) => rel.startsWith('berth.db'));

describe('ImageService (fake unpack)', () => {
  let work: string;
  let base: BuiltLayer;
  let app: BuiltLayer;
  let other: BuiltLayer;
  let ociDir: string;
  before(async () => {
    work = await tempDir();
    base = await layer([
      { name: 'bin/', type: 'directory' },
      { name: 'bin/sh', data: '#!fake shell', mode: 0o755 },
      { name: 'etc/os-release', data: 'ID=fake\n' },
    ]);
    app = await layer([{ name: 'app/main', data: 'app v1' }, { name: 'bin/run', type: 'symlink', linkname: '/app/main' }]);
    other = await layer([{ name: 'other', data: 'x'.repeat(100) }]);
    ociDir = path.join(work, 'oci');
    await writeOciLayout(ociDir, [
      { name: 'example/app:1.0', layers: [base, app], cmd: ['/app/main'] },
      { name: 'localhost:5000/base:1', layers: [base], created: '2020-01-01T00:00:00Z' },
    ]);
  });
  after(() => fsp.rm(work, { recursive: true, force: true }));

  it('loads an OCI layout directory, tags from annotations, unpacks layers as snapshots', async () => {
    const root = await tempDir();
    try {
      const s = service(root);
      const r = await s.images.load(ociDir);
      assert.deepEqual(
        r.loaded.map((l) => l.tags),
        [['example/app:1.0'], ['localhost:5000/base:1']],
      );
      const list = s.images.list();
      assert.equal(list.length, 2);
      const appImg = s.images.inspect('example/app:1.0');
      assert.deepEqual(appImg.config.cmd, ['/app/main']);
      assert.deepEqual(appImg.rootfs.diffIds, [base.diffId, app.diffId]);
      assert.equal(appImg.layers, 2);
      assert.equal(appImg.os, 'linux');
      assert.equal(appImg.repoDigests[0], `example/app@${appImg.manifestDigest}`);
      assert.ok(appImg.size > 0);
      const resolved = s.images.resolve('docker.io/example/app:1.0');
      assert.equal(resolved.name, 'example/app:1.0');
      assert.equal(resolved.chainIds.length, 2);
      assert.equal(resolved.chainIds[0], base.diffId);
      const lowers = s.images.lowerDirs(appImg.id);
      assert.equal(lowers.length, 2);
      assert.equal(fs.readFileSync(path.join(lowers[0]!, 'app', 'main'), 'utf8'), 'app v1');
      assert.equal(fs.readFileSync(path.join(lowers[1]!, 'bin', 'sh'), 'utf8'), '#!fake shell');
      // the base layer is shared: one snapshot for both images
      assert.equal(s.snapshots.list().length, 2);
      // nothing left in scratch areas
      assert.deepEqual(fs.readdirSync(s.p.contentIngest), []);
      assert.deepEqual(fs.readdirSync(s.p.tmp), []);
      s.db.$client.close();
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it('finds images by full id, short id prefix, and manifest digest; not_found otherwise', async () => {
    const root = await tempDir();
    try {
      const s = service(root);
      await s.images.load(ociDir);
      const img = s.images.inspect('localhost:5000/base:1');
      const hex = img.id.slice(7);
      assert.equal(s.images.inspect(img.id).id, img.id);
      assert.equal(s.images.inspect(hex).id, img.id);
      assert.equal(s.images.inspect(hex.slice(0, 12)).id, img.id);
      assert.equal(s.images.inspect(`sha256:${hex.slice(0, 12)}`).id, img.id);
      assert.equal(s.images.inspect(`localhost:5000/base@${img.manifestDigest}`).id, img.id);
      assert.throws(() => s.images.inspect(hex.slice(0, 8)), (e: any) => e.code === 'not_found');
      assert.throws(() => s.images.inspect('nope:latest'), (e: any) => e.code === 'not_found' && /no such image: nope:latest/.test(e.message));
      s.db.$client.close();
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it('loads the same layout as a tar, gzip tar and stream', async () => {
    const root = await tempDir();
    try {
      const s = service(root);
      const tarFile = path.join(work, 'oci.tar');
      fs.writeFileSync(tarFile, tarDir(ociDir));
      const a = await s.images.load(tarFile);
      const gzFile = path.join(work, 'oci.tar.gz');
      fs.writeFileSync(gzFile, zlib.gzipSync(fs.readFileSync(tarFile)));
      const b = await s.images.load(gzFile);
      const c = await s.images.load(fs.createReadStream(tarFile));
      assert.deepEqual(a, b);
      assert.deepEqual(a, c);
      assert.equal(s.images.list().length, 2);
      assert.deepEqual(fs.readdirSync(s.p.tmp), []);
      s.db.$client.close();
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it('loads a legacy docker save archive (uncompressed layer.tar, RepoTags, repositories)', async () => {
    const root = await tempDir();
    try {
      const s = service(root);
      const archive = await dockerSaveFromOci(ociDir, [['example/app:1.0', 'example/app:latest'], ['base:1']]);
      const r = await s.images.load(Readable.from([archive]));
      assert.deepEqual(r.loaded.map((l) => l.tags.sort()), [['example/app:1.0', 'example/app:latest'], ['base:1']]);
      const img = s.images.inspect('example/app');
      assert.deepEqual(img.config.cmd, ['/app/main']);
      assert.equal(fs.readFileSync(path.join(s.images.lowerDirs(img.id)[0]!, 'app', 'main'), 'utf8'), 'app v1');
      s.db.$client.close();
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it('loads a docker save archive with blobs/sha256 layout and symlinked layers', async () => {
    const root = await tempDir();
    try {
      const s = service(root);
      const { image } = buildImage({ layers: [base], cmd: ['x'] });
      const archive = await tarBuffer([
        { name: 'blobs/', type: 'directory' },
        { name: 'blobs/sha256/', type: 'directory' },
        { name: `blobs/sha256/${image.configDigest.slice(7)}`, data: image.config },
        { name: `blobs/sha256/${base.diffId.slice(7)}`, data: base.tar },
        { name: 'legacy/layer.tar', type: 'symlink', linkname: `../blobs/sha256/${base.diffId.slice(7)}` },
        {
          name: 'manifest.json',
          data: JSON.stringify([{ Config: `blobs/sha256/${image.configDigest.slice(7)}`, RepoTags: ['new:1'], Layers: ['legacy/layer.tar'] }]),
        },
      ]);
      const r = await s.images.load(Readable.from([archive]));
      assert.deepEqual(r.loaded, [{ id: image.configDigest, tags: ['new:1'] }]);
      s.db.$client.close();
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it('picks linux/amd64 from a multi-platform index', async () => {
    const root = await tempDir();
    const dir = path.join(work, 'multi');
    try {
      const s = service(root);
      const arm = buildImage({ layers: [other], platform: { os: 'linux', architecture: 'arm64' }, cmd: ['arm'] });
      const amd = buildImage({ layers: [base], platform: { os: 'linux', architecture: 'amd64' }, cmd: ['amd'] });
      await fsp.mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
      for (const b of [arm, amd]) for (const [d, data] of b.blobs) fs.writeFileSync(path.join(dir, 'blobs/sha256', d.slice(7)), data);
      const idx = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [arm, amd].map((b) => ({
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: b.image.manifestDigest,
            size: b.image.manifestSize,
            platform: JSON.parse(b.image.config.toString()).architecture === 'arm64' ? { os: 'linux', architecture: 'arm64' } : { os: 'linux', architecture: 'amd64' },
          })),
        }),
      );
      fs.writeFileSync(path.join(dir, 'blobs/sha256', sha(idx).slice(7)), idx);
      fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
      fs.writeFileSync(
        path.join(dir, 'index.json'),
        JSON.stringify({
          schemaVersion: 2,
          manifests: [
            {
              mediaType: 'application/vnd.oci.image.index.v1+json',
              digest: sha(idx),
              size: idx.length,
              annotations: { 'io.containerd.image.name': 'docker.io/library/multi:1', 'org.opencontainers.image.ref.name': '1' },
            },
          ],
        }),
      );
      const r = await s.images.load(dir);
      assert.deepEqual(r.loaded, [{ id: amd.image.configDigest, tags: ['multi:1'] }]);
      assert.deepEqual(s.images.inspect('multi:1').config.cmd, ['amd']);
      assert.ok(!s.content.has(other.digest), 'the arm64 layer is not stored');
      s.db.$client.close();
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it('imports a rootfs tarball (gzip or plain) as a one-layer image', async () => {
    const root = await tempDir();
    try {
      const s = service(root);
      const file = path.join(work, 'rootfs.tar.gz');
      fs.writeFileSync(file, base.gz);
      const r = await s.images.import(file, 'myroot:1', { cmd: ['/bin/sh'] });
      assert.deepEqual(r.tags, ['myroot:1']);
      const img = s.images.inspect('myroot:1');
      assert.deepEqual(img.config.cmd, ['/bin/sh']);
      assert.ok(img.config.env[0]!.startsWith('PATH='));
      assert.deepEqual(img.rootfs.diffIds, [base.diffId]);
      assert.equal(img.architecture, 'amd64');
      assert.equal(fs.readFileSync(path.join(s.images.lowerDirs('myroot:1')[0]!, 'etc/os-release'), 'utf8'), 'ID=fake\n');
      const plain = await s.images.import(Readable.from([app.tar]), 'plain');
      assert.deepEqual(plain.tags, ['plain:latest']);
      assert.equal(s.images.inspect('plain').config.cmd, null);
      await assert.rejects(s.images.import(Readable.from([Buffer.from('not a tar at all'.repeat(64))]), 'bad'), (e: any) => e.code === 'invalid_argument' && /not a tar archive/.test(e.message));
      await assert.rejects(s.images.import(file, 'Bad Ref'), (e: any) => e.code === 'invalid_argument' && /Bad Ref/.test(e.message));
      assert.equal(s.images.list().length, 2);
      s.db.$client.close();
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  describe('bad input is refused and leaves the store as it was', () => {
    let root: string;
    let s: ReturnType<typeof service>;
    let before_: string[];
    before(async () => {
      root = await tempDir();
      s = service(root);
      await s.images.import(Readable.from([other.gz]), 'keep:1');
      before_ = treeOf(root);
    });
    after(async () => {
      s.db.$client.close();
      await fsp.rm(root, { recursive: true, force: true });
    });

    async function expectRefused(source: string | NodeJS.ReadableStream, re: RegExp) {
      await assert.rejects(s.images.load(source), (e: any) => {
        assert.equal(e.code, 'invalid_argument', e.message);
        assert.match(e.message, re);
        return true;
      });
      assert.deepEqual(treeOf(root), before_);
      assert.deepEqual(s.images.list().map((i) => i.repoTags), [['keep:1']]);
    }

    async function corruptLayout(mutate: (dir: string) => void): Promise<string> {
      const dir = await fsp.mkdtemp(path.join(work, 'bad-'));
      await writeOciLayout(dir, [{ name: 'bad:1', layers: [base, app] }]);
      mutate(dir);
      return dir;
    }

    it('a layer blob with a flipped byte (digest mismatch)', async () => {
      const dir = await corruptLayout((d) => {
        const f = path.join(d, 'blobs/sha256', app.digest.slice(7));
        const b = fs.readFileSync(f);
        b[b.length - 10] ^= 0xff;
        fs.writeFileSync(f, b);
      });
      await expectRefused(dir, new RegExp(`blob ${app.digest} digest mismatch: got sha256:`));
      // and the same as a tar
      await expectRefused(Readable.from([tarDir(dir)]), /digest mismatch/);
    });

    it('a missing blob', async () => {
      const dir = await corruptLayout((d) => fs.rmSync(path.join(d, 'blobs/sha256', app.digest.slice(7))));
      await expectRefused(dir, new RegExp(`missing layer blob ${app.digest}`));
    });

    it('a truncated tar', async () => {
      const t = tarDir(ociDir);
      await expectRefused(Readable.from([t.subarray(0, Math.floor(t.length / 2) + 100)]), /is truncated/);
    });

    it('a layer whose content does not match the config diff id', async () => {
      const dir = path.join(work, 'baddiff');
      await writeOciLayout(dir, [{ name: 'bad:1', layers: [base, app], diffIds: [base.diffId, other.diffId] }]);
      await expectRefused(dir, new RegExp(`layer ${app.digest} diff id mismatch: expected ${other.diffId}`));
    });

    it('an unknown form', async () => {
      await expectRefused(Readable.from([await tarBuffer([{ name: 'hello.txt', data: 'hi' }])]), /neither index.json .* nor manifest.json/);
      await expectRefused(Readable.from([Buffer.from('garbage'.repeat(200))]), /not a valid tar archive/);
    });

    it('docker save entries that escape the archive', async () => {
      for (const bad of ['../x.json', '/etc/passwd', 'a/../../b']) {
        const t = await tarBuffer([{ name: 'manifest.json', data: JSON.stringify([{ Config: bad, RepoTags: [], Layers: [] }]) }]);
        await expectRefused(Readable.from([t]), /escapes the archive|is absolute/);
      }
      const t = await tarBuffer([{ name: '../evil', data: 'x' }]);
      await expectRefused(Readable.from([t]), /escapes the archive/);
    });

    it('a docker save layer that is not the config diff id', async () => {
      const { image } = buildImage({ layers: [base] });
      const t = await tarBuffer([
        { name: 'c.json', data: image.config },
        { name: 'l/layer.tar', data: app.tar },
        { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['x:1'], Layers: ['l/layer.tar'] }]) },
      ]);
      await expectRefused(Readable.from([t]), /digest mismatch/);
    });
  });

  it('removes like docker rmi: untag, delete, in-use conflict, force, shared layers kept', async () => {
    const root = await tempDir();
    try {
      const s = service(root);
      await s.images.load(ociDir);
      const appId = s.images.inspect('example/app:1.0').id;
      const baseId = s.images.inspect('localhost:5000/base:1').id;
      const bare = treeOf(root);
      await s.images.import(Readable.from([other.gz]), 'extra:1');
      // add a second tag to app by loading again under another name
      const dir2 = path.join(work, 'retag');
      await writeOciLayout(dir2, [{ name: 'example/app:2.0', layers: [base, app], cmd: ['/app/main'] }]);
      await s.images.load(dir2);

      assert.deepEqual(await s.images.remove('example/app:2.0'), { untagged: ['example/app:2.0'], deleted: [] });

      s.inUse.add(appId);
      await assert.rejects(s.images.remove('example/app:1.0'), (e: any) => e.code === 'conflict');
      assert.deepEqual(await s.images.remove('example/app:1.0', { force: true }), { untagged: ['example/app:1.0'], deleted: [] });
      assert.ok(s.images.inspect(appId), 'a forced removal of an image in use keeps the image');
      s.inUse.delete(appId);
      assert.deepEqual(await s.images.remove(appId), { untagged: [], deleted: [appId] });
      assert.ok(!s.content.has(app.digest), 'its own layer blob is freed');
      assert.ok(s.content.has(base.digest), 'the shared base blob stays');
      assert.ok(s.snapshots.has(base.diffId), 'the shared base snapshot stays');
      assert.equal(fs.readFileSync(path.join(s.images.lowerDirs(baseId)[0]!, 'bin/sh'), 'utf8'), '#!fake shell');

      const extra = await s.images.remove('extra:1');
      assert.equal(extra.deleted.length, 1);
      // back to exactly the base image's content (app was loaded after `bare`, so compare subsets)
      const now = treeOf(root);
      for (const p of now) assert.ok(bare.includes(p) || !p.includes('blobs'), `unexpected ${p}`);
      assert.deepEqual(await s.images.remove('localhost:5000/base:1'), { untagged: ['localhost:5000/base:1'], deleted: [baseId] });
      assert.deepEqual(s.content.list(), []);
      assert.deepEqual(s.snapshots.list(), []);
      assert.throws(() => s.images.inspect(baseId), (e: any) => e.code === 'not_found');
      await assert.rejects(s.images.remove('nope'), (e: any) => e.code === 'not_found');
      s.db.$client.close();
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it('refuses to delete an image by id while it has several tags, unless forced', async () => {
    const root = await tempDir();
    try {
      const s = service(root);
      const archive = await dockerSaveFromOci(ociDir, [['a:1', 'b:1'], []]);
      await s.images.load(Readable.from([archive]));
      const id = s.images.inspect('a:1').id;
      await assert.rejects(s.images.remove(id), (e: any) => e.code === 'conflict');
      const r = await s.images.remove(id, { force: true });
      assert.deepEqual(r, { untagged: ['a:1', 'b:1'], deleted: [id] });
      s.db.$client.close();
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it('gc removes unreferenced blobs, snapshots and stale scratch files', async () => {
    const root = await tempDir();
    try {
      const s = service(root);
      await s.images.load(ociDir);
      const keepBlobs = s.content.list();
      const keepSnaps = s.snapshots.list();
      // simulate a crash after blobs/snapshots were written but before the DB rows
      const orphan = await s.content.ingest(other.gz);
      await s.snapshots.prepare(other.diffId, null, async (d) => fs.writeFileSync(path.join(d, 'x'), 'y'));
      fs.writeFileSync(path.join(s.p.contentIngest, 'dead.partial'), 'x');
      fs.mkdirSync(path.join(s.p.snapshots, '.tmp-dead'));
      fs.mkdirSync(path.join(s.p.tmp, 'load-dead'));
      const spared = await s.images.gc(); // default grace period spares fresh content
      assert.deepEqual(spared.blobs, []);
      const r = await s.images.gc({ minAgeMs: 0 });
      assert.deepEqual(r.blobs, [orphan.digest]);
      assert.deepEqual(r.snapshots, [other.diffId]);
      assert.equal(r.temp, 3);
      assert.deepEqual(s.content.list(), keepBlobs);
      assert.deepEqual(s.snapshots.list(), keepSnaps);
      assert.equal(s.images.list().length, 2);
      s.db.$client.close();
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });
});
