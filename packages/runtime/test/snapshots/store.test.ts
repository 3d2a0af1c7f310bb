import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SnapshotStore } from '../../src/snapshots/store';

const chain = (c: string) => `sha256:${c.repeat(64)}`;

describe('SnapshotStore', () => {
  let root: string;
  let snaps: SnapshotStore;
  before(async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-snap-'));
    snaps = new SnapshotStore(root);
  });
  after(() => fsp.rm(root, { recursive: true, force: true }));

  const noTemp = () => assert.deepEqual(fs.readdirSync(root).filter((n) => n.startsWith('.')), []);

  it('prepares a snapshot in a temp dir and commits it under the short key', async () => {
    const r = await snaps.prepare(chain('a'), null, async (dir) => {
      assert.ok(dir.includes('.tmp-'), 'unpacks into a temp dir');
      fs.writeFileSync(path.join(dir, 'hello'), 'world!');
      fs.mkdirSync(path.join(dir, 'etc'));
      fs.writeFileSync(path.join(dir, 'etc', 'x'), '1234');
      return 'ok';
    });
    assert.deepEqual(r, { dir: path.join(root, 'aaaaaaaaaaaaaaaa', 'fs'), created: true, result: 'ok' });
    assert.equal(fs.readFileSync(path.join(root, 'aaaaaaaaaaaaaaaa', 'chain'), 'utf8').trim(), chain('a'));
    assert.ok(snaps.has(chain('a')));
    assert.equal(await snaps.usage(chain('a')), 10);
    assert.deepEqual(snaps.list(), [chain('a')]);
    noTemp();
  });

  it('reuses a committed snapshot without unpacking again', async () => {
    const r = await snaps.prepare(chain('a'), null, async () => assert.fail('must not unpack'));
    assert.equal(r.created, false);
  });

  it('leaves nothing behind when unpacking fails', async () => {
    await assert.rejects(
      snaps.prepare(chain('b'), chain('a'), async (dir) => {
        fs.writeFileSync(path.join(dir, 'partial'), 'x');
        throw new Error('bad layer');
      }),
      /bad layer/,
    );
    assert.ok(!snaps.has(chain('b')));
    assert.ok(!fs.existsSync(path.join(root, 'bbbbbbbbbbbbbbbb')));
    noTemp();
  });

  it('requires the parent to exist', async () => {
    await assert.rejects(snaps.prepare(chain('c'), chain('d'), async () => 1), (e: any) => e.code === 'not_found');
  });

  it('describes an overlay mount, top-most layer first, without mounting', async () => {
    await snaps.prepare(chain('b'), chain('a'), async () => 1);
    const m = snaps.mounts([chain('a'), chain('b')], '/c/upper', '/c/work');
    assert.deepEqual(m, {
      type: 'overlay',
      source: 'overlay',
      options: [
        `lowerdir=${path.join(root, 'bbbbbbbbbbbbbbbb', 'fs')}:${path.join(root, 'aaaaaaaaaaaaaaaa', 'fs')}`,
        'upperdir=/c/upper',
        'workdir=/c/work',
      ],
    });
    assert.throws(() => snaps.mounts([], '/u', '/w'), (e: any) => e.code === 'invalid_argument');
    assert.throws(() => snaps.mounts([chain('a')], '/u:x', '/w'), (e: any) => e.code === 'invalid_argument');
  });

  it('keeps mount options under a page for a deep image', () => {
    const ids = Array.from({ length: 60 }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`);
    const m = snaps.mounts(ids, '/var/lib/berth/containers/x/upper', '/var/lib/berth/containers/x/work');
    assert.ok(m.options.join(',').length < 4096);
  });

  it('refuses a short-key collision with another chain id', async () => {
    const other = `sha256:${'a'.repeat(16)}${'f'.repeat(48)}`;
    assert.throws(() => snaps.has(other), (e: any) => e.code === 'conflict');
  });

  it('validates chain ids', () => {
    assert.throws(() => snaps.dir('sha256:../../x'), (e: any) => e.code === 'invalid_argument');
  });

  it('removes snapshots and stale temp dirs', async () => {
    await snaps.remove(chain('b'));
    assert.ok(!snaps.has(chain('b')));
    await snaps.remove(chain('b')); // idempotent
    fs.mkdirSync(path.join(root, '.tmp-stale'));
    fs.mkdirSync(path.join(root, '0123456789abcdef')); // no chain file: incomplete
    assert.equal(await snaps.cleanTemp(0), 2);
    assert.deepEqual(snaps.list(), [chain('a')]);
    noTemp();
  });
});
