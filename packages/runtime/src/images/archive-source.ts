// Read-only views of an image archive, addressed by archive-relative paths: an OCI layout or
// `docker save` directory, or a tar (plain or gzip) of either. A tar is spooled entry by entry
// into numbered files under a private temp dir, so names inside the archive never become host
// paths; its symlinks and hardlinks are resolved inside the archive's own namespace.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { BerthError, invalid, notFound } from '../errors';
import { decompressor, detectCompression, sniff } from './layer';

export interface ArchiveSource {
  /** Says what the source is, for error messages. */
  readonly description: string;
  has(p: string): boolean;
  /** Size of a regular file in the archive. */
  size(p: string): number;
  open(p: string): Readable;
  readFile(p: string, maxBytes: number): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * Normalises an archive-relative path and rejects anything that could leave the archive:
 * absolute paths, `..` components, NUL bytes, backslashes.
 */
export function cleanArchivePath(p: unknown, what: string): string {
  if (typeof p !== 'string' || p.length === 0 || p.length > 4096) throw invalid(`${what} has an invalid path`);
  if (p.includes('\0') || p.includes('\\')) throw invalid(`${what} path "${p.slice(0, 200)}" has forbidden characters`);
  if (p.startsWith('/')) throw invalid(`${what} path "${p.slice(0, 200)}" is absolute`);
  const parts: string[] = [];
  for (const comp of p.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (comp === '..') throw invalid(`${what} path "${p.slice(0, 200)}" escapes the archive`);
    parts.push(comp);
  }
  if (parts.length === 0) throw invalid(`${what} path "${p.slice(0, 200)}" is empty`);
  return parts.join('/');
}

async function readLimited(stream: Readable, maxBytes: number, what: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let len = 0;
  for await (const chunk of stream) {
    len += (chunk as Buffer).length;
    if (len > maxBytes) {
      stream.destroy();
      throw invalid(`${what} is larger than ${maxBytes} bytes`);
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/** A layout on disk. Paths are checked to stay inside the directory, symlinks included. */
export class DirSource implements ArchiveSource {
  readonly description: string;
  private readonly realRoot: string;

  constructor(readonly root: string) {
    this.description = `directory ${root}`;
    this.realRoot = fs.realpathSync(root);
  }

  private resolve(p: string): string | null {
    const rel = cleanArchivePath(p, 'archive entry');
    let real: string;
    try {
      real = fs.realpathSync(path.join(this.realRoot, rel));
    } catch {
      return null;
    }
    if (real !== this.realRoot && !real.startsWith(this.realRoot + path.sep)) {
      throw invalid(`archive entry "${rel}" points outside ${this.root}`);
    }
    return fs.statSync(real).isFile() ? real : null;
  }

  has(p: string): boolean {
    return this.resolve(p) !== null;
  }

  size(p: string): number {
    const r = this.resolve(p);
    if (!r) throw notFound(`${this.description} has no ${p}`);
    return fs.statSync(r).size;
  }

  open(p: string): Readable {
    const r = this.resolve(p);
    if (!r) throw notFound(`${this.description} has no ${p}`);
    return fs.createReadStream(r);
  }

  async readFile(p: string, maxBytes: number): Promise<Buffer> {
    return readLimited(this.open(p), maxBytes, p);
  }

  async close(): Promise<void> {}
}

type TarEntry =
  | { kind: 'file'; file: string; size: number }
  | { kind: 'symlink'; target: string }
  | { kind: 'hardlink'; target: string };

/** A tar, spooled into `dir` (which it owns and removes on close). */
export class TarSource implements ArchiveSource {
  private readonly entries = new Map<string, TarEntry>();

  private constructor(
    readonly description: string,
    private readonly dir: string,
  ) {}

  /** Spools `input` (plain or gzip tar) into a fresh dir under `tmpDir`. */
  static async open(input: NodeJS.ReadableStream, description: string, tmpDir: string): Promise<TarSource> {
    await fsp.mkdir(tmpDir, { recursive: true, mode: 0o700 });
    const dir = path.join(tmpDir, `load-${Date.now()}-${randomBytes(6).toString('hex')}`);
    await fsp.mkdir(dir, { mode: 0o700 });
    const src = new TarSource(description, dir);
    try {
      await src.spool(input);
      return src;
    } catch (e) {
      await src.close();
      if (e instanceof BerthError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      const why = /unexpected end/i.test(msg) ? `${description} is truncated (unexpected end of tar data)` : `${description} is not a valid tar archive: ${msg}`;
      throw new BerthError('invalid_argument', why, { cause: e });
    }
  }

  private async spool(input: NodeJS.ReadableStream): Promise<void> {
    const { head, stream } = await sniff(input, 8);
    const compression = detectCompression(head);
    if (compression === 'zstd') throw invalid(`${this.description}: zstd-compressed archives are not supported`);
    const dec = decompressor(compression);
    const extract = tar.extract();
    const consume = async () => {
      let n = 0;
      for await (const entry of extract) {
        const h = entry.header;
        if (h.type === 'directory') {
          entry.resume(); // directories are implied by the files under them
          continue;
        }
        const name = cleanArchivePath(h.name, 'archive entry');
        if (h.type === 'file' || h.type === 'contiguous-file') {
          const file = path.join(this.dir, String(n++));
          await pipeline(entry, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
          this.entries.set(name, { kind: 'file', file, size: h.size ?? 0 });
        } else {
          if (h.type === 'symlink' && h.linkname) this.entries.set(name, { kind: 'symlink', target: h.linkname });
          else if (h.type === 'link' && h.linkname) this.entries.set(name, { kind: 'hardlink', target: h.linkname });
          entry.resume();
        }
      }
    };
    const [fed, consumed] = await Promise.allSettled([
      dec ? pipeline(stream, dec, extract) : pipeline(stream, extract),
      consume(),
    ]);
    // The consumer's own error (a bad entry name) is the cause when both fail.
    if (consumed.status === 'rejected' && consumed.reason instanceof BerthError) throw consumed.reason;
    if (fed.status === 'rejected') throw fed.reason;
    if (consumed.status === 'rejected') throw consumed.reason;
  }

  private lookup(p: string): Extract<TarEntry, { kind: 'file' }> | null {
    let cur = cleanArchivePath(p, 'archive entry');
    for (let depth = 0; depth < 32; depth++) {
      const e = this.entries.get(cur);
      if (!e) return null;
      if (e.kind === 'file') return e;
      if (e.kind === 'hardlink') {
        cur = cleanArchivePath(e.target, `hardlink ${cur}`);
      } else {
        const base = e.target.startsWith('/') ? '' : path.posix.dirname(cur);
        const joined = path.posix.normalize(path.posix.join('/', base, e.target)).slice(1);
        cur = cleanArchivePath(joined, `symlink ${cur}`);
      }
    }
    throw invalid(`${this.description}: too many links resolving ${p}`);
  }

  has(p: string): boolean {
    return this.lookup(p) !== null;
  }

  size(p: string): number {
    const e = this.lookup(p);
    if (!e) throw notFound(`${this.description} has no ${p}`);
    return e.size;
  }

  open(p: string): Readable {
    const e = this.lookup(p);
    if (!e) throw notFound(`${this.description} has no ${p}`);
    return fs.createReadStream(e.file);
  }

  async readFile(p: string, maxBytes: number): Promise<Buffer> {
    return readLimited(this.open(p), maxBytes, p);
  }

  async close(): Promise<void> {
    await fsp.rm(this.dir, { recursive: true, force: true });
  }
}

/** Opens a directory or a tar file path, or a tar stream. */
export async function openArchive(source: string | NodeJS.ReadableStream, tmpDir: string): Promise<ArchiveSource> {
  if (typeof source !== 'string') return TarSource.open(source, 'image archive', tmpDir);
  let st: fs.Stats;
  try {
    st = await fsp.stat(source);
  } catch {
    throw notFound(`image archive ${source} not found`);
  }
  if (st.isDirectory()) return new DirSource(source);
  if (!st.isFile()) throw invalid(`image archive ${source} is neither a file nor a directory`);
  return TarSource.open(fs.createReadStream(source), `image archive ${source}`, tmpDir);
}
