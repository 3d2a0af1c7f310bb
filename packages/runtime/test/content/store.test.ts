import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { ContentStore } from '../../src/content/store';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('ContentStore', () => {
  let root: string;
  let store: ContentStore;
  before(async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-content-'));
    store = new ContentStore(path.join(root, 'blobs', 'sha256'), path.join(root, 'ingest'));
  });
  after(() => fsp.rm(root, { recursive: true, force: true }));

  const ingestEmpty = () => assert.deepEqual(fs.readdirSync(path.join(root, 'ingest')), []);

  it('ingests a stream, verifying digest and size, and stores it by digest', async () => {
    const data = Buffer.from('hello blob');
    const r = await store.ingest(Readable.from([data.subarray(0, 3), data.subarray(3)]), { digest: sha(data), size: data.length });
    assert.deepEqual(r, { digest: sha(data), size: data.length, created: true });
    assert.ok(store.has(sha(data)));
    assert.equal(fs.readFileSync(store.path(sha(data)), 'utf8'), 'hello blob');
    assert.equal(store.size(sha(data)), data.length);
    ingestEmpty();
  });

  it('computes the digest when none is expected and reports an existing blob', async () => {
    const data = Buffer.from('hello blob');
    const r = await store.ingest(data);
    assert.equal(r.created, false);
    assert.equal(r.digest, sha(data));
  });

  it('rejects a digest mismatch naming both digests and leaves nothing', async () => {
    const data = Buffer.from('good');
    const want = sha(Buffer.from('goot'));
    await assert.rejects(store.ingest(data, { digest: want, size: 4 }), (e: any) => {
      assert.equal(e.code, 'invalid_argument');
      assert.equal(e.message, `blob ${want} digest mismatch: got ${sha(data)}`);
      return true;
    });
    assert.ok(!store.has(want) && !store.has(sha(data)));
    ingestEmpty();
  });

  it('rejects a size mismatch (short and long) and leaves nothing', async () => {
    const data = Buffer.from('12345');
    await assert.rejects(store.ingest(data, { digest: sha(data), size: 6 }), /size mismatch: expected 6 bytes, got 5/);
    await assert.rejects(store.ingest(data, { digest: sha(data), size: 4 }), /size mismatch: expected 4 bytes, got more/);
    assert.ok(!store.has(sha(data)));
    ingestEmpty();
  });

  it('removes the partial file when the input stream fails', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('part'));
        this.destroy(new Error('connection reset'));
      },
    });
    await assert.rejects(store.ingest(failing), (e: any) => e.code === 'invalid_argument' && /connection reset/.test(e.message));
    ingestEmpty();
  });

  it('validates digests before they become paths', () => {
    for (const bad of ['sha256:../../etc/passwd', 'sha256:ABC', 'md5:abc', `sha256:${'a'.repeat(63)}`, '../x']) {
      assert.throws(() => store.path(bad), (e: any) => e.code === 'invalid_argument');
      assert.throws(() => store.has(bad), (e: any) => e.code === 'invalid_argument');
    }
  });

  it('readJson parses, re-verifies, and lists/deletes blobs', async () => {
    const doc = Buffer.from(JSON.stringify({ a: 1 }));
    const { digest } = await store.ingest(doc);
    assert.deepEqual(await store.readJson(digest), { a: 1 });
    assert.ok(store.list().includes(digest));
    await store.delete(digest);
    assert.ok(!store.has(digest));
    await store.delete(digest); // idempotent
    await assert.rejects(store.readJson(digest), (e: any) => e.code === 'not_found');
  });

  it('readJson notices a blob corrupted on disk', async () => {
    const doc = Buffer.from(JSON.stringify({ b: 2 }));
    const { digest } = await store.ingest(doc);
    fs.chmodSync(store.path(digest), 0o644);
    fs.writeFileSync(store.path(digest), JSON.stringify({ b: 3 }));
    await assert.rejects(store.readJson(digest), /is corrupt/);
  });

  it('cleanIngest removes stale partial files', async () => {
    fs.writeFileSync(path.join(root, 'ingest', 'stale.partial'), 'x');
    assert.equal(await store.cleanIngest(0), 1);
    ingestEmpty();
  });
});
