// ROOT integration test: the bundled real images through the real native unpacker.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ContentStore } from '../../src/content/store';
import { ImageService } from '../../src/images/image-store';
import type { UnpackFn } from '../../src/images/layer';
import { openMetadata, type MetadataDb } from '../../src/metadata/db';
import { runtimePaths, type RuntimePaths } from '../../src/paths';
import { SnapshotStore } from '../../src/snapshots/store';
import { dockerSaveFromOci, listTree } from './fixtures';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, '../..');
const images = path.resolve(pkg, '../../../shared/images');
const MUSL = path.join(images, 'busybox-musl');
const GLIBC = path.join(images, 'busybox-glibc');
const ALPINE = path.join(images, 'alpine-minirootfs-3.20.3-x86_64.tar.gz');

/** Root-only and needs the built helper: say so loudly instead of skipping quietly. */
async function requirements(): Promise<UnpackFn> {
  if (process.getuid?.() !== 0) throw new Error('load-real.test.ts REQUIRES ROOT (run as root; CI does)');
  const helper = path.join(pkg, 'native/build/berth-helper');
  const unpackTs = path.join(pkg, 'src/helper/unpack.ts');
  if (!fs.existsSync(unpackTs) || !fs.existsSync(helper)) {
    throw new Error(`load-real.test.ts needs the native helper: build it first (${helper})`);
  }
  for (const p of [MUSL, GLIBC, ALPINE]) if (!fs.existsSync(p)) throw new Error(`missing test image ${p}`);
  const mod = (await import('../../src/helper/unpack')) as { unpackLayer: UnpackFn };
  return mod.unpackLayer;
}

describe('image store with real images (root)', () => {
  let work: string;
  let p: RuntimePaths;
  let db: MetadataDb;
  let content: ContentStore;
  let snapshots: SnapshotStore;
  let svc: ImageService;
  const tree = () => listTree(p.root, (rel) => rel.startsWith('berth.db'));

  before(async () => {
    const unpack = await requirements();
    work = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-load-real-'));
    p = runtimePaths(path.join(work, 'root'), path.join(work, 'run'));
    db = openMetadata(p.db);
    content = new ContentStore(p.contentBlobs, p.contentIngest);
    snapshots = new SnapshotStore(p.snapshots);
    svc = new ImageService({ db, content, snapshots, unpack, tmpDir: p.tmp });
  });
  after(async () => {
    db?.$client.close();
    if (work) await fsp.rm(work, { recursive: true, force: true });
  });

  it('loads busybox-musl from its OCI layout directory', async () => {
    const r = await svc.load(MUSL);
    assert.deepEqual(r.loaded.map((l) => l.tags), [['busybox:1.37.0-musl']]);
    const dir = svc.lowerDirs('busybox:1.37.0-musl')[0]!;
    assert.ok(fs.statSync(path.join(dir, 'bin/busybox')).isFile());
    assert.ok(fs.existsSync(path.join(dir, 'bin/sh')));
  });

  it('loads busybox-glibc from an OCI layout tar', async () => {
    const tarFile = path.join(work, 'glibc.tar');
    execFileSync('tar', ['-C', GLIBC, '-cf', tarFile, '.']);
    const r = await svc.load(tarFile);
    assert.deepEqual(r.loaded.map((l) => l.tags), [['busybox:1.37.0-glibc']]);
  });

  it('imports the Alpine minirootfs as alpine:3.20', async () => {
    const r = await svc.import(ALPINE, 'alpine:3.20', { cmd: ['/bin/sh'] });
    assert.deepEqual(r.tags, ['alpine:3.20']);
    const [dir] = svc.lowerDirs('alpine:3.20');
    assert.equal(fs.readFileSync(path.join(dir!, 'etc/alpine-release'), 'utf8').trim(), '3.20.3');
    assert.deepEqual(svc.inspect('alpine:3.20').config.cmd, ['/bin/sh']);
  });

  it('lists the three tags and inspects busybox', () => {
    const tags = svc.list().flatMap((i) => i.repoTags).sort();
    assert.deepEqual(tags, ['alpine:3.20', 'busybox:1.37.0-glibc', 'busybox:1.37.0-musl']);
    const bb = svc.inspect('busybox:1.37.0-musl');
    assert.deepEqual(bb.config.cmd, ['sh']);
    assert.equal(bb.id, 'sha256:cafb65f54bc46b59c4915955dc3c1e89e0a4ceab9f42a998e58a173f191d04ff');
    assert.ok(bb.size > 1_000_000, `unpacked size ${bb.size}`);
    const resolved = svc.resolve('busybox:1.37.0-musl');
    assert.equal(resolved.name, 'busybox:1.37.0-musl');
    assert.deepEqual(resolved.chainIds, bb.rootfs.diffIds);
  });

  it('loads a docker save archive made from the OCI layout', async () => {
    const archive = await dockerSaveFromOci(MUSL, [['busybox:saved']]);
    const r = await svc.load(Readable.from([archive]));
    assert.deepEqual(r.loaded, [{ id: svc.inspect('busybox:1.37.0-musl').id, tags: ['busybox:saved'] }]);
    assert.deepEqual(svc.inspect('busybox:saved').repoTags, ['busybox:1.37.0-musl', 'busybox:saved']);
  });

  it('refuses corrupt archives with a clear message and leaves the store exactly as before', async () => {
    const before_ = tree();
    const listBefore = JSON.stringify(svc.list());

    const whole = execFileSync('tar', ['-C', GLIBC, '-cf', '-', '.'], { maxBuffer: 1 << 28 });
    await assert.rejects(svc.load(Readable.from([whole.subarray(0, whole.length - 4096)])), (e: any) => {
      assert.equal(e.code, 'invalid_argument');
      assert.match(e.message, /truncated|missing/);
      return true;
    });
    assert.deepEqual(tree(), before_);

    // a fresh layout (new tag) with one byte of the layer flipped
    const bad = path.join(work, 'bad-layout');
    fs.cpSync(MUSL, bad, { recursive: true });
    const index = JSON.parse(fs.readFileSync(path.join(bad, 'index.json'), 'utf8'));
    index.manifests[0].annotations = { 'org.opencontainers.image.ref.name': 'corrupt:1' };
    fs.writeFileSync(path.join(bad, 'index.json'), JSON.stringify(index));
    const manifest = JSON.parse(fs.readFileSync(path.join(bad, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'));
    const layerFile = path.join(bad, 'blobs/sha256', manifest.layers[0].digest.slice(7));
    fs.chmodSync(layerFile, 0o644);
    const b = fs.readFileSync(layerFile);
    b[Math.floor(b.length / 2)] ^= 0x01;
    fs.writeFileSync(layerFile, b);
    const badTar = path.join(work, 'bad.tar');
    execFileSync('tar', ['-C', bad, '-cf', badTar, '.']);
    await assert.rejects(svc.load(badTar), (e: any) => {
      assert.equal(e.code, 'invalid_argument');
      assert.match(e.message, new RegExp(`blob ${manifest.layers[0].digest} digest mismatch: got sha256:[a-f0-9]{64}`));
      return true;
    });
    assert.deepEqual(tree(), before_);
    assert.equal(JSON.stringify(svc.list()), listBefore);
    assert.deepEqual(fs.readdirSync(p.contentIngest), []);
    assert.deepEqual(fs.readdirSync(p.tmp), []);
  });

  it('removes images and frees their blobs and snapshots', async () => {
    const alpine = svc.inspect('alpine:3.20');
    const chain = svc.resolve('alpine:3.20').chainIds;
    const r = await svc.remove('alpine:3.20');
    assert.deepEqual(r, { untagged: ['alpine:3.20'], deleted: [alpine.id] });
    assert.ok(!content.has(alpine.id) && !content.has(alpine.manifestDigest));
    assert.ok(!snapshots.has(chain[0]!));

    assert.deepEqual(await svc.remove('busybox:saved'), { untagged: ['busybox:saved'], deleted: [] });
    const glibc = svc.inspect('busybox:1.37.0-glibc');
    assert.deepEqual((await svc.remove('busybox:1.37.0-glibc')).deleted, [glibc.id]);
    const musl = svc.inspect('busybox:1.37.0-musl');
    assert.deepEqual((await svc.remove(musl.id.slice(7, 19))).deleted, [musl.id]);
    assert.deepEqual(content.list(), []);
    assert.deepEqual(snapshots.list(), []);
    assert.deepEqual(svc.list(), []);
    const g = await svc.gc({ minAgeMs: 0 });
    assert.deepEqual(g, { blobs: [], snapshots: [], temp: 0 });
  });
});
