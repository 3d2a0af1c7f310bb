// COPY/ADD sources inside the build context (or a stage's root): names are resolved with the
// context as the root — `..` cannot climb out, and symlinks are followed only as if the context
// were `/` — then walked without following links, and turned into layer tar entries whose names
// are the cleaned destination. Nothing is ever written by joining a destination to a host path.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { invalid, notFound } from '../errors';
import { looksLikeTarHeader } from '../images/layer';

export interface CopyEntry {
  /** host path to read (regular files) — resolved inside the root */
  src: string | null;
  /** the entry's name in the layer (no leading slash) */
  name: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  size: number;
  mtime: Date;
  linkname?: string;
}

/** Resolves `rel` under `root` following symlinks as if `root` were `/`. Returns a host path. */
export function resolveInRoot(root: string, rel: string, opts: { followLast: boolean }): string {
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  const stack: string[] = [];
  let hops = 0;
  while (parts.length > 0) {
    const p = parts.shift()!;
    if (p === '..') {
      stack.pop();
      continue;
    }
    const host = path.join(root, ...stack, p);
    let st: fs.Stats | null = null;
    try {
      st = fs.lstatSync(host);
    } catch {
      st = null;
    }
    if (st?.isSymbolicLink() && (parts.length > 0 || opts.followLast)) {
      if (++hops > 40) throw invalid(`too many levels of symbolic links in ${rel}`);
      const target = fs.readlinkSync(host);
      if (target.startsWith('/')) stack.length = 0;
      parts.unshift(...target.split('/').filter((x) => x !== '' && x !== '.'));
      continue;
    }
    stack.push(p);
  }
  return path.join(root, ...stack);
}

/** Throws unless the source, cleaned, stays inside the context (Docker refuses `../x`). */
export function checkSource(src: string): string {
  const norm = path.posix.normalize(src.replace(/^\/+/, ''));
  if (norm === '..' || norm.startsWith('../')) throw invalid(`forbidden path outside the build context: ${src}`);
  return norm === '.' ? '' : norm;
}

function globToRe(glob: string): RegExp {
  let re = '';
  for (const c of glob) re += c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`);
}

/** Expands one source (a wildcard in its last component too) to host paths inside `root`. */
export function expandSource(root: string, src: string): string[] {
  const rel = checkSource(src);
  const base = path.posix.basename(rel);
  if (/[*?]/.test(base)) {
    const dir = resolveInRoot(root, path.posix.dirname(rel), { followLast: true });
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      names = [];
    }
    const re = globToRe(base);
    const hits = names.filter((n) => re.test(n)).map((n) => path.join(dir, n));
    if (hits.length === 0) throw notFound(`no source files were specified: ${src} matches nothing`);
    return hits;
  }
  const host = resolveInRoot(root, rel, { followLast: true });
  if (!fs.existsSync(host)) throw notFound(`"${src}" not found in the build context`);
  return [host];
}

/**
 * The layer entries for `COPY srcs... dest` (Docker's rules: a directory's contents are copied,
 * a file goes to dest/ when dest ends in / or there are several sources). `skip` names
 * context-relative paths never copied (none by default).
 */
export function copyEntries(root: string, srcs: string[], dest: string, workdir: string, opts: { chmod?: number } = {}): CopyEntry[] {
  const absDest = path.posix.normalize(dest.startsWith('/') ? dest : path.posix.join(workdir || '/', dest));
  const destIsDir = dest.endsWith('/') || dest === '.' || srcs.length > 1;
  const hosts = srcs.flatMap((s) => expandSource(root, s));
  const destDir = destIsDir || hosts.length > 1 || (hosts.length === 1 && fs.statSync(hosts[0]!).isDirectory()) ? absDest : path.posix.dirname(absDest);
  const entries: CopyEntry[] = [];
  const seen = new Set<string>();
  const add = (e: CopyEntry) => {
    if (e.name === '' || seen.has(e.name)) return;
    seen.add(e.name);
    entries.push(e);
  };
  // parent directories of the destination, so the layer can be unpacked on any base
  const parents = destDir.split('/').filter(Boolean);
  for (let i = 1; i <= parents.length; i++) {
    add({ src: null, name: parents.slice(0, i).join('/'), type: 'directory', mode: 0o755, size: 0, mtime: new Date(0) });
  }
  const strip = (p: string) => p.replace(/^\/+/, '');
  const walk = (host: string, name: string) => {
    const st = fs.lstatSync(host);
    const mode = opts.chmod ?? st.mode & 0o7777;
    if (st.isSymbolicLink()) add({ src: null, name, type: 'symlink', mode: 0o777, size: 0, mtime: st.mtime, linkname: fs.readlinkSync(host) });
    else if (st.isDirectory()) {
      add({ src: null, name, type: 'directory', mode, size: 0, mtime: st.mtime });
      for (const n of fs.readdirSync(host).sort()) walk(path.join(host, n), `${name}/${n}`);
    } else if (st.isFile()) add({ src: host, name, type: 'file', mode, size: st.size, mtime: st.mtime });
    // sockets, fifos, devices in a context are not copied
  };
  for (const host of hosts) {
    const st = fs.statSync(host);
    if (st.isDirectory()) {
      for (const n of fs.readdirSync(host).sort()) walk(path.join(host, n), strip(path.posix.join(destDir, n)));
    } else {
      const name = destIsDir || hosts.length > 1 ? path.posix.join(destDir, path.basename(host)) : absDest;
      walk(host, strip(name));
    }
  }
  return entries;
}

/** A content hash of the entries (names, types, modes, bytes; not mtimes) for the build cache. */
export function hashEntries(entries: CopyEntry[]): string {
  const h = createHash('sha256');
  for (const e of entries) {
    h.update(`${e.type} ${e.name} ${e.mode.toString(8)} ${e.linkname ?? ''} ${e.size}\n`);
    if (e.src) h.update(fs.readFileSync(e.src));
  }
  return h.digest('hex');
}

/** Whether a file is a (plain or gzip) tar archive, which ADD extracts. */
export function isLocalTar(file: string): boolean {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(4096);
      head = head.subarray(0, fs.readSync(fd, head, 0, head.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    try {
      head = zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch {
      return false;
    }
  }
  return head.length >= 512 && looksLikeTarHeader(head.subarray(0, 512)) && head.subarray(0, 512).some((b) => b !== 0);
}
