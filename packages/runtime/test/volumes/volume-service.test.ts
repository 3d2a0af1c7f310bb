// The volume service against a real metadata DB in a temp dir and a recording copy-up fake.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { RunSpec } from '@berth/shared';
import { openMetadata } from '../../src/metadata/db';
import { VolumeService, type ResolvedMount } from '../../src/volumes/volume-service';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-volsvc-'));
after(() => fs.rmSync(base, { recursive: true, force: true }));

function setup() {
  const dir = fs.mkdtempSync(path.join(base, 'v-'));
  const db = openMetadata(path.join(dir, 'berth.db'));
  const users: { id: string; name: string; mounts: ResolvedMount[] }[] = [];
  const copies: { lower: string[]; at: string; dest: string }[] = [];
  const svc = new VolumeService({
    db,
    root: path.join(dir, 'volumes'),
    users: { all: () => users },
    copyUp: async (lower, at, dest) => {
      copies.push({ lower, at, dest });
      fs.writeFileSync(path.join(dest, 'from-image'), 'x');
    },
  });
  return { svc, users, copies };
}

test("an image VOLUME becomes an anonymous volume filled from the image; rm -v removes it", async () => {
  const { svc, users, copies } = setup();
  const spec = RunSpec.parse({ image: 'x', mounts: [{ type: 'volume', source: 'named', target: '/named' }] });
  const mounts = await svc.prepare(spec, { volumes: ['/data', '/named'], lowerDirs: ['/l1', '/l2'] });
  assert.equal(mounts.length, 2);
  const anon = mounts.find((m) => m.target === '/data')!;
  assert.ok(anon.anonymous && /^[a-f0-9]{64}$/.test(anon.name!));
  assert.deepEqual(copies.map((c) => c.at).sort(), ['/data', '/named']);
  // a volume that already has content is not filled again
  await svc.prepare(spec, { volumes: [], lowerDirs: ['/l1'] });
  assert.equal(copies.length, 2);
  users.push({ id: 'c1', name: 'one', mounts });
  assert.throws(() => svc.remove('named'), /volume named is in use by container one/);
  users.pop();
  svc.onContainerRemoved(mounts, true);
  assert.deepEqual(svc.list().map((v) => v.name), ['named']);
  assert.deepEqual(VolumeService.ociMounts([{ type: 'tmpfs', source: 'tmpfs', target: '/t', readOnly: true, tmpfsSize: 1024 }])[0].options, ['nosuid', 'nodev', 'noexec', 'size=1024', 'ro']);
});

test('validate: duplicate targets and missing bind sources are refused before anything is made', () => {
  const { svc } = setup();
  assert.throws(() => svc.validate(RunSpec.parse({ image: 'x', mounts: [{ type: 'tmpfs', target: '/a' }, { type: 'tmpfs', target: '/a' }] })), /duplicate mount point/);
  assert.throws(() => svc.validate(RunSpec.parse({ image: 'x', mounts: [{ type: 'bind', source: '/no/such/dir', target: '/a' }] })), /does not exist/);
  assert.deepEqual(svc.list(), []);
});
