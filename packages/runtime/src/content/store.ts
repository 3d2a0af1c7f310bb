// The content store: immutable blobs addressed by sha256 under blobs/sha256/<hex>. Every blob is
// written to ingest/ while it is hashed and counted, checked against the digest and size the
// caller expects, and only then renamed into place, so a blob path always holds exactly the
// bytes its name promises. Digests are validated before they become part of a path.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError, invalid, notFound } from '../errors';

export const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export interface BlobRef {
  digest: string;
  size: number;
}

export interface IngestResult extends BlobRef {
  /** false when the blob was already in the store (the new copy was verified and dropped). */
  created: boolean;
}

/** Throws invalid_argument unless `digest` is `sha256:<64 lowercase hex>`. */
export function validateDigest(digest: unknown, what = 'digest'): string {
  if (typeof digest !== 'string' || !DIGEST_RE.test(digest)) {
    const shown = typeof digest === 'string' ? digest.slice(0, 100) : String(digest);
    throw invalid(`invalid ${what} "${shown}": must be sha256:<64 hex>`);
  }
  return digest;
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

const INGEST_SUFFIX = '.partial';

export class ContentStore {
  constructor(
    readonly blobDir: string,
    readonly ingestDir: string,
  ) {
    fs.mkdirSync(blobDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(ingestDir, { recursive: true, mode: 0o700 });
  }

  /** Host path of a blob (validated digest); the blob need not exist. */
  path(digest: string): string {
    validateDigest(digest);
    return path.join(this.blobDir, digest.slice('sha256:'.length));
  }

  has(digest: string): boolean {
    return fs.existsSync(this.path(digest));
  }

  /** Size in bytes; not_found when absent. */
  size(digest: string): number {
    try {
      return fs.statSync(this.path(digest)).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`blob ${digest} not found`);
      throw e;
    }
  }

  /**
   * Streams `input` into the store. With `expected`, the blob must match both digest and size,
   * else invalid_argument and nothing is left behind. Returns the digest and size it stored.
   */
  async ingest(input: NodeJS.ReadableStream | Buffer, expected?: BlobRef): Promise<IngestResult> {
    if (expected) {
      validateDigest(expected.digest, 'expected digest');
      if (!Number.isSafeInteger(expected.size) || expected.size < 0) {
        throw invalid(`blob ${expected.digest} has an invalid size ${String(expected.size)}`);
      }
    }
    const tmp = path.join(this.ingestDir, `${Date.now()}-${randomBytes(8).toString('hex')}${INGEST_SUFFIX}`);
    const hash = createHash('sha256');
    let size = 0;
    const label = expected ? `blob ${expected.digest}` : 'blob';
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        // Stop early rather than write an unbounded stream to disk.
        if (expected && size > expected.size) {
          cb(invalid(`${label} size mismatch: expected ${expected.size} bytes, got more`));
          return;
        }
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    const source = Buffer.isBuffer(input) ? Readable.from([input]) : (input as NodeJS.ReadableStream);
    try {
      await pipeline(source, counter, fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
      // Durable before it is renamed into place: a crash never leaves a short blob.
      const fh = await fsp.open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      const digest = `sha256:${hash.digest('hex')}`;
      if (expected) {
        if (size !== expected.size) {
          throw invalid(`${label} size mismatch: expected ${expected.size} bytes, got ${size}`);
        }
        if (digest !== expected.digest) throw invalid(`${label} digest mismatch: got ${digest}`);
      }
      const dest = this.path(digest);
      if (fs.existsSync(dest)) {
        await fsp.rm(tmp, { force: true });
        return { digest, size, created: false };
      }
      await fsp.chmod(tmp, 0o444);
      await fsp.rename(tmp, dest);
      return { digest, size, created: true };
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      if (e instanceof BerthError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw new BerthError('invalid_argument', `${label}: reading input failed: ${msg}`, { cause: e });
    }
  }

  /** Opens a stored blob for reading. */
  open(digest: string): fs.ReadStream {
    const p = this.path(digest);
    if (!fs.existsSync(p)) throw notFound(`blob ${digest} not found`);
    return fs.createReadStream(p);
  }

  /** Reads a small blob, re-checks its digest, and parses it as JSON. */
  async readJson<T = unknown>(digest: string, maxBytes = 8 << 20): Promise<T> {
    const p = this.path(digest);
    let data: Buffer;
    try {
      const st = await fsp.stat(p);
      if (st.size > maxBytes) throw invalid(`blob ${digest} is too large to parse as JSON (${st.size} bytes)`);
      data = await fsp.readFile(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`blob ${digest} not found`);
      throw e;
    }
    if (sha256Digest(data) !== digest) throw invalid(`blob ${digest} is corrupt: content does not match digest`);
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch {
      throw invalid(`blob ${digest} is not valid JSON`);
    }
  }

  /** Removes a blob; no error when it is already gone. */
  async delete(digest: string): Promise<void> {
    await fsp.rm(this.path(digest), { force: true });
  }

  /** Digests of all stored blobs (files with a valid name only). */
  list(): string[] {
    return fs
      .readdirSync(this.blobDir)
      .filter((n) => /^[a-f0-9]{64}$/.test(n))
      .map((n) => `sha256:${n}`)
      .sort();
  }

  /** Modification time of a blob (ms), used by gc to spare fresh blobs. */
  mtimeMs(digest: string): number {
    return fs.statSync(this.path(digest)).mtimeMs;
  }

  /** Removes ingest files older than `olderThanMs`; returns how many. */
  async cleanIngest(olderThanMs = 0): Promise<number> {
    let n = 0;
    const now = Date.now();
    for (const name of await fsp.readdir(this.ingestDir)) {
      const p = path.join(this.ingestDir, name);
      try {
        const st = await fsp.lstat(p);
        if (now - st.mtimeMs < olderThanMs) continue;
        await fsp.rm(p, { recursive: true, force: true });
        n++;
      } catch {
        // raced with a finishing ingest: fine
      }
    }
    return n;
  }
}
