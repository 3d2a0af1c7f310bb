// Downloads one blob into the content store, verified and resumable. Bytes go to
// ingest/pull-<hex>.partial (a name fixed by the digest, so the next pull finds it); a later
// attempt hashes what is there and asks for the rest with a Range request (or starts again
// when the registry ignores Range). Size is checked while streaming, digest at the end; only
// then is the blob renamed into blobs/. A blob already in the store is not fetched at all.
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError, invalid } from '../errors';
import type { ContentStore } from '../content/store';
import type { RepositoryClient } from './client';
import { isTransient } from './retry';

export interface DownloadProgress {
  current: number;
  total: number;
  resumedFrom: number;
}

export interface DownloadResult {
  created: boolean;
  /** bytes that were already there from an interrupted download */
  resumedFrom: number;
  /** bytes fetched from the registry by this call */
  fetched: number;
}

// One download per digest at a time in this process: two pulls sharing a layer wait for each other.
const inflight = new Map<string, Promise<DownloadResult>>();

export function partialPath(content: ContentStore, digest: string): string {
  content.path(digest); // validates
  return path.join(content.ingestDir, `pull-${digest.slice('sha256:'.length)}.partial`);
}

export function downloadBlob(opts: {
  content: ContentStore;
  repo: RepositoryClient;
  digest: string;
  size: number;
  what: string;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
}): Promise<DownloadResult> {
  const prev = inflight.get(opts.digest);
  if (prev) return prev.then(() => ({ created: false, resumedFrom: 0, fetched: 0 }), () => downloadBlob(opts));
  const p = download(opts).finally(() => inflight.delete(opts.digest));
  inflight.set(opts.digest, p);
  return p;
}

async function hashFile(file: string, hash: Hash): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
}

async function download(opts: Parameters<typeof downloadBlob>[0]): Promise<DownloadResult> {
  const { content, repo, digest, size, what, signal } = opts;
  if (!Number.isSafeInteger(size) || size < 0) throw invalid(`${what} ${digest} has an invalid size`);
  if (content.has(digest)) return { created: false, resumedFrom: 0, fetched: 0 };
  const partial = partialPath(content, digest);
  let resumedFrom = 0;
  let fetched = 0;
  for (let attempt = 0; ; attempt++) {
    let offset = 0;
    try {
      offset = (await fsp.stat(partial)).size;
    } catch {
      offset = 0;
    }
    if (offset > size) {
      await fsp.rm(partial, { force: true });
      offset = 0;
    }
    if (attempt === 0) resumedFrom = offset;
    const hash = createHash('sha256');
    if (offset > 0) await hashFile(partial, hash);
    try {
      if (offset < size || size === 0) {
        const res = await repo.blob(digest, offset, signal);
        if (offset > 0 && res.status !== 206) {
          // the registry ignored Range: start over
          await fsp.rm(partial, { force: true });
          offset = 0;
          if (attempt === 0) resumedFrom = 0;
          return await finishFresh(res);
        }
        if (offset > 0) {
          const cr = res.headers.get('content-range');
          const start = cr ? Number(/bytes\s+(\d+)-/.exec(cr)?.[1]) : NaN;
          if (start !== offset) {
            await res.body?.cancel();
            await fsp.rm(partial, { force: true });
            continue;
          }
        }
        await stream(res, hash, offset, 'a');
      }
      return await commit(hash);
    } catch (e) {
      if (signal?.aborted) throw e;
      if (isTransient(e) && attempt < 3) {
        await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
        continue;
      }
      throw e;
    }
  }

  async function finishFresh(res: Response): Promise<DownloadResult> {
    const hash = createHash('sha256');
    await stream(res, hash, 0, 'w');
    return commit(hash);
  }

  async function stream(res: Response, hash: Hash, offset: number, flags: 'a' | 'w'): Promise<void> {
    if (!res.body) throw invalid(`${what} ${digest}: the registry sent no body`);
    let current = offset;
    let lastEmit = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        current += chunk.length;
        fetched += chunk.length;
        if (current > size) {
          cb(invalid(`${what} ${digest} size mismatch: expected ${size} bytes, the registry sent more`));
          return;
        }
        hash.update(chunk);
        const now = Date.now();
        if (opts.onProgress && now - lastEmit > 100) {
          lastEmit = now;
          opts.onProgress({ current, total: size, resumedFrom });
        }
        cb(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), counter, fs.createWriteStream(partial, { flags, mode: 0o600 }), { signal });
    } catch (e) {
      if (e instanceof BerthError) {
        await fsp.rm(partial, { force: true });
        throw e;
      }
      if (signal?.aborted) throw signal.reason ?? e;
      const err = new BerthError('unavailable', `${what} ${digest}: download interrupted: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      (err as BerthError & { retryable?: boolean }).retryable = true;
      throw err;
    }
    opts.onProgress?.({ current, total: size, resumedFrom });
  }

  async function commit(hash: Hash): Promise<DownloadResult> {
    const st = await fsp.stat(partial).catch(() => null);
    const got = st?.size ?? 0;
    if (!st && size === 0) await fsp.writeFile(partial, Buffer.alloc(0), { mode: 0o600 });
    if (got !== size) {
      await fsp.rm(partial, { force: true });
      throw invalid(`${what} ${digest} size mismatch: expected ${size} bytes, got ${got}`);
    }
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== digest) {
      await fsp.rm(partial, { force: true });
      throw invalid(`${what} ${digest} digest mismatch: the registry sent content with digest ${actual}`);
    }
    const fh = await fsp.open(partial, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    const dest = content.path(digest);
    if (fs.existsSync(dest)) {
      await fsp.rm(partial, { force: true });
      return { created: false, resumedFrom, fetched };
    }
    await fsp.chmod(partial, 0o444);
    await fsp.rename(partial, dest);
    return { created: true, resumedFrom, fetched };
  }
}
