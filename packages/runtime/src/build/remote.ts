// ADD of an http(s) URL: the file is downloaded into a fresh temp dir (named after the URL's last
// path component, never a path from the server), hashed on the way, and checked against
// `--checksum=sha256:<hex>` when one is given. Docker's rules: mode 0600, the mtime from
// Last-Modified when the server sends one.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError, invalid } from '../errors';

export function isUrl(src: string): boolean {
  return /^https?:\/\//i.test(src);
}

/** `sha256:<64 hex>`, validated once. */
export function parseChecksum(spec: string | undefined): string | undefined {
  if (spec === undefined) return undefined;
  if (!/^sha256:[a-f0-9]{64}$/.test(spec)) throw invalid(`--checksum ${spec}: expected sha256:<64 hex digits>`);
  return spec;
}

/** The file name a download gets: the URL path's last component (Docker's rule), else "download". */
export function urlFileName(url: URL): string {
  const last = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '');
  return last && last !== '.' && last !== '..' && !last.includes('/') && !last.includes('\0') ? last : 'download';
}

export interface Downloaded {
  /** the host file (inside `dir`) */
  file: string;
  name: string;
  digest: string;
}

/** Downloads `src` into `dir`; a failed request names the URL and the HTTP status. */
export async function downloadUrl(src: string, dir: string, opts: { checksum?: string; fetchFn?: typeof fetch } = {}): Promise<Downloaded> {
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    throw invalid(`invalid URL ${src}`);
  }
  const name = urlFileName(url);
  let res: Response;
  try {
    res = await (opts.fetchFn ?? fetch)(url, { redirect: 'follow' });
  } catch (e) {
    throw new BerthError('unavailable', `downloading ${src}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    throw new BerthError(res.status === 404 ? 'not_found' : 'unavailable', `downloading ${src}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  }
  const file = path.join(dir, name);
  const hash = createHash('sha256');
  const tee = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), tee, fs.createWriteStream(file, { mode: 0o600, flags: 'wx' }));
  } catch (e) {
    throw new BerthError('unavailable', `downloading ${src}: ${(e as Error).message}`);
  }
  const digest = `sha256:${hash.digest('hex')}`;
  if (opts.checksum && opts.checksum !== digest) throw invalid(`checksum of ${src} does not match: expected ${opts.checksum}, got ${digest}`);
  await fsp.chmod(file, 0o600);
  const lm = res.headers.get('last-modified');
  const mtime = lm ? new Date(lm) : null;
  if (mtime && !Number.isNaN(mtime.getTime())) await fsp.utimes(file, mtime, mtime);
  return { file, name, digest };
}
