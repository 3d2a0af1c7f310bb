// pullImage against an in-test registry that speaks the distribution API behind bearer-token
// auth (a token service that wants basic credentials and checks the scope), serves an index
// with two platforms, honours Range, and can be told to corrupt a layer. No root needed: the
// fake unpacker stands in for the native helper.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ImageProgress } from '@berth/shared';
import { ContentStore } from '../../src/content/store';
import { ImageService } from '../../src/images/image-store';
import { pullImage } from '../../src/images/pull';
import { openMetadata } from '../../src/metadata/db';
import { runtimePaths } from '../../src/paths';
import { partialPath } from '../../src/registry/blob-download';
import { SnapshotStore } from '../../src/snapshots/store';
import { buildImage, fakeUnpack, layer, sha, tempDir } from '../images/fixtures';

function service(root: string) {
  const p = runtimePaths(root, path.join(root, 'run'));
  const content = new ContentStore(p.contentBlobs, p.contentIngest);
  const images = new ImageService({ db: openMetadata(p.db), content, snapshots: new SnapshotStore(p.snapshots), unpack: fakeUnpack, tmpDir: p.tmp });
  return { images, content };
}

describe('pull over bearer-token auth (in-test distribution server)', () => {
  let work: string;
  let server: http.Server;
  let base = '';
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, { body: Buffer; type: string }>();
  const log: { path: string; range?: string; auth?: string }[] = [];
  const tokenRequests: URL[] = [];
  let corrupt: string | null = null;
  let amdId = '';
  let armId = '';

  before(async () => {
    work = await tempDir('berth-pull-');
    const l1 = await layer([{ name: 'hello', data: 'amd64 world\n' }]);
    const l2 = await layer([{ name: 'big', data: Buffer.alloc(300_000, 7) }, { name: 'rand', data: Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251)) }]);
    const l3 = await layer([{ name: 'hello', data: 'arm64 world\n' }]);
    const amd = buildImage({ layers: [l1, l2] });
    const arm = buildImage({ layers: [l3], platform: { os: 'linux', architecture: 'arm64' } });
    for (const b of [amd, arm]) for (const [d, buf] of b.blobs) blobs.set(d, buf);
    amdId = amd.image.configDigest;
    armId = arm.image.configDigest;
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: amd.image.manifestDigest, size: amd.image.manifestSize, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: arm.image.manifestDigest, size: arm.image.manifestSize, platform: { os: 'linux', architecture: 'arm64' } },
        ],
      }),
    );
    manifests.set('1', { body: index, type: 'application/vnd.oci.image.index.v1+json' });
    for (const m of [amd.image, arm.image]) manifests.set(m.manifestDigest, { body: m.manifest, type: 'application/vnd.oci.image.manifest.v1+json' });

    server = http.createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      log.push({ path: u.pathname, range: req.headers.range, auth: req.headers.authorization });
      if (u.pathname === '/token') {
        tokenRequests.push(u);
        if (req.headers.authorization !== `Basic ${Buffer.from('alice:wonder').toString('base64')}`) {
          res.writeHead(401).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `tok-${u.searchParams.getAll('scope').join(',')}`, expires_in: 300 }));
        return;
      }
      if (req.headers.authorization !== 'Bearer tok-repository:team/app:pull') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${base}/token",service="fake-registry"`, 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
        return;
      }
      const mm = /^\/v2\/team\/app\/manifests\/(.+)$/.exec(u.pathname);
      if (mm) {
        const m = manifests.get(mm[1]!);
        if (!m) return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
        res.writeHead(200, { 'content-type': m.type, 'docker-content-digest': sha(m.body) }).end(m.body);
        return;
      }
      const bm = /^\/v2\/team\/app\/blobs\/(sha256:[a-f0-9]{64})$/.exec(u.pathname);
      const blob = bm && blobs.get(bm[1]!);
      if (!blob) return void res.writeHead(404).end();
      let body = blob;
      if (corrupt === bm![1]) {
        body = Buffer.from(blob);
        body[body.length - 5] ^= 0xff;
      }
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (range) {
        const start = Number(range[1]);
        res.writeHead(206, { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, 'content-length': body.length - start });
        res.end(body.subarray(start));
      } else res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await fsp.rm(work, { recursive: true, force: true });
  });

  const ref = () => `${base.slice(7)}/team/app:1`;

  it('without credentials it fails asking for a login; wrong ones fail as incorrect', async () => {
    const { images } = service(path.join(work, 'r0'));
    await assert.rejects(pullImage(images, { ref: ref() }), (e: Error & { code?: string }) => e.code === 'unauthenticated' && /authentication required/.test(e.message));
    await assert.rejects(pullImage(images, { ref: ref(), auth: { username: 'alice', password: 'nope' } }), /incorrect username or password/);
    assert.deepEqual(images.list(), []);
  });

  it('gets a token with the basic credentials and the repository pull scope, then pulls the amd64 image', async () => {
    const { images } = service(path.join(work, 'r1'));
    tokenRequests.length = 0;
    const events: ImageProgress[] = [];
    const r = await pullImage(images, { ref: ref(), auth: { username: 'alice', password: 'wonder' }, onProgress: (e) => events.push(e) });
    assert.equal(r.id, amdId);
    const t = tokenRequests.at(-1)!;
    assert.equal(t.searchParams.get('service'), 'fake-registry');
    assert.deepEqual(t.searchParams.getAll('scope'), ['repository:team/app:pull']);
    assert.deepEqual(images.list().map((i) => [i.id, i.repoTags]), [[amdId, [`${ref()}`]]]);
    assert.ok(events.some((e) => e.type === 'resolved' && e.platform === 'linux/amd64'));
    assert.ok(events.some((e) => e.type === 'layer' && e.status === 'done'));
    assert.equal(events.at(-1)?.type, 'done');
  });

  it('--platform picks the arm64 entry; a platform the index lacks fails naming what there is', async () => {
    const { images } = service(path.join(work, 'r2'));
    const auth = { username: 'alice', password: 'wonder' };
    assert.equal((await pullImage(images, { ref: ref(), auth, platform: { os: 'linux', architecture: 'arm64' } })).id, armId);
    await assert.rejects(
      pullImage(images, { ref: ref(), auth, platform: { os: 'linux', architecture: 'riscv64' } }),
      /no matching manifest for linux\/riscv64 .*available: linux\/amd64, linux\/arm64/,
    );
  });

  it('resumes a partial download with a Range request', async () => {
    const { images, content } = service(path.join(work, 'r3'));
    const big = [...blobs.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    const half = Math.floor(big[1].length / 2);
    fs.writeFileSync(partialPath(content, big[0]), big[1].subarray(0, half));
    log.length = 0;
    const events: ImageProgress[] = [];
    await pullImage(images, { ref: ref(), auth: { username: 'alice', password: 'wonder' }, onProgress: (e) => events.push(e) });
    const req = log.find((l) => l.path.endsWith(big[0]));
    assert.equal(req?.range, `bytes=${half}-`);
    assert.ok(events.some((e) => e.type === 'layer' && e.digest === big[0] && e.resumedFrom === half));
    assert.equal(content.has(big[0]), true);
  });

  it('a corrupt layer fails naming its digest and leaves no blob, partial or image', async () => {
    const { images, content } = service(path.join(work, 'r4'));
    const bad = [...blobs.entries()].sort((a, b) => b[1].length - a[1].length)[0]![0];
    corrupt = bad;
    try {
      await assert.rejects(pullImage(images, { ref: ref(), auth: { username: 'alice', password: 'wonder' } }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'invalid_argument');
        assert.match(e.message, new RegExp(`${bad} digest mismatch`));
        return true;
      });
    } finally {
      corrupt = null;
    }
    assert.deepEqual(images.list(), []);
    assert.deepEqual(content.list(), []);
    assert.equal(fs.existsSync(partialPath(content, bad)), false);
  });
});
