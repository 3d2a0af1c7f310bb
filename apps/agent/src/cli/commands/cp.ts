// `berth cp` with docker cp's semantics: CONTAINER:SRC DEST | SRC CONTAINER:DEST, `-` for a tar on
// stdin/stdout, `SRC/.` for a directory's contents, -a keeps uid/gid, -L follows a symlink SRC.
// The agent (through the native helper) resolves every container path inside the container's
// root; this side decides names the way docker cp does and packs/unpacks the host's files.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { parseArgs, UsageError } from '../args';
import type { CliContext } from '../context';

const USAGE = 'usage: berth cp [-a] [-L] CONTAINER:SRC_PATH DEST_PATH|-\n       berth cp [-a] [-L] SRC_PATH|- CONTAINER:DEST_PATH';

/** `name:path` is a container path unless it looks like a local path (absolute, ./, ../). */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  if (i <= 0 || arg.slice(0, i).includes('/')) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) || '/' };
}

const isContents = (p: string) => p === '.' || p.endsWith('/.');
const hasSlash = (p: string) => p.endsWith('/') || p.endsWith('/.');
function base(p: string): string {
  const b = path.posix.basename(p.replace(/\/+$/, ''));
  return b || '/';
}

export async function cp(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'archive', short: 'a', type: 'bool' },
    { long: 'follow-link', short: 'L', type: 'bool' },
    { long: 'quiet', short: 'q', type: 'bool' },
  ]);
  if (positionals.length !== 2) throw new UsageError(USAGE);
  const src = splitCpArg(positionals[0]);
  const dst = splitCpArg(positionals[1]);
  const keepOwner = flags.archive === true;
  const follow = flags['follow-link'] === true;
  if (src.container && dst.container) throw new UsageError('copying between containers is not supported');
  if (!src.container && !dst.container) throw new UsageError('must specify at least one container source');
  if (src.container) return copyOut(ctx, src.container, src.path, dst.path, { keepOwner, follow });
  return copyIn(ctx, src.path, dst.container!, dst.path, { keepOwner, follow });
}

// ---- container -> host ------------------------------------------------------------------------
async function copyOut(ctx: CliContext, ctr: string, srcPath: string, dest: string, o: { keepOwner: boolean; follow: boolean }): Promise<number> {
  const client = ctx.client();
  const stat = await client.archiveStat(ctr, srcPath, o.follow);
  if (!stat) throw new Error(`could not find the file ${srcPath} in container ${ctr}`);
  const srcIsDir = stat.type === 'dir';
  if (hasSlash(srcPath) && !srcIsDir) throw new Error(`${srcPath}: not a directory`);
  if (dest === '-') {
    const { stream } = await client.getArchive(ctr, srcPath, { follow: o.follow });
    await pipeline(stream, process.stdout, { end: false });
    return 0;
  }
  let destDir: string;
  let rebase: string;
  const dstat = statOrNull(dest);
  if (dstat?.isDirectory()) {
    destDir = dest;
    rebase = srcIsDir && isContents(srcPath) ? '.' : base(srcPath);
  } else if (dstat) {
    if (srcIsDir) throw new Error(`cannot copy a directory to a file: ${dest}`);
    destDir = path.dirname(dest);
    rebase = path.basename(dest);
  } else {
    if (dest.endsWith('/') && !srcIsDir) throw new Error(`destination directory ${dest} must exist`);
    destDir = path.dirname(dest.replace(/\/+$/, ''));
    rebase = path.basename(dest.replace(/\/+$/, ''));
    if (!statOrNull(destDir)?.isDirectory()) throw new Error(`destination directory ${destDir} must exist`);
  }
  const { stream } = await client.getArchive(ctr, srcPath, { follow: o.follow, rebase });
  await extractHost(stream, destDir, o.keepOwner);
  return 0;
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** Unpacks the agent's tar under `dir`; names are cleaned so nothing lands outside it. */
async function extractHost(stream: Readable, dir: string, keepOwner: boolean): Promise<void> {
  const ex = tar.extract();
  const dirTimes: [string, Date][] = [];
  ex.on('entry', (h, body, next) => {
    const rel = path.posix.normalize('/' + h.name).slice(1);
    const target = rel ? path.join(dir, rel) : dir;
    const done = (e?: unknown) => {
      if (e) return next(e as Error);
      try {
        if (keepOwner && h.uid !== undefined && h.gid !== undefined) fs.lchownSync(target, h.uid, h.gid);
        if (h.type !== 'symlink' && h.mode !== undefined) fs.chmodSync(target, h.mode & 0o7777);
        if (h.type === 'directory') dirTimes.push([target, h.mtime ?? new Date()]);
        else if (h.type !== 'symlink' && h.mtime) fs.utimesSync(target, h.mtime, h.mtime);
        next();
      } catch (err) {
        next(err as Error);
      }
    };
    try {
      if (h.type === 'directory') {
        fs.mkdirSync(target, { recursive: true });
        body.resume();
        body.once('end', () => done());
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        removeNonDir(target);
        const ws = fs.createWriteStream(target, { mode: (h.mode ?? 0o644) & 0o777 });
        ws.once('error', done);
        ws.once('finish', () => done());
        body.once('error', done);
        body.pipe(ws);
      } else if (h.type === 'symlink') {
        removeNonDir(target);
        fs.symlinkSync(h.linkname ?? '', target);
        body.resume();
        body.once('end', () => done());
      } else if (h.type === 'link') {
        removeNonDir(target);
        const from = path.join(dir, path.posix.normalize('/' + (h.linkname ?? '')).slice(1));
        fs.linkSync(from, target);
        body.resume();
        body.once('end', () => done());
      } else {
        body.resume();
        body.once('end', () => next());
      }
    } catch (e) {
      body.resume();
      next(e as Error);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ex.once('error', reject);
    stream.once('error', reject);
    ex.once('finish', () => resolve());
    stream.pipe(ex as unknown as NodeJS.WritableStream);
  });
  for (const [d, t] of dirTimes.reverse()) fs.utimesSync(d, t, t);
}

function removeNonDir(p: string) {
  try {
    const st = fs.lstatSync(p);
    if (!st.isDirectory()) fs.unlinkSync(p);
  } catch {
    // not there
  }
}

// ---- host -> container ------------------------------------------------------------------------
async function copyIn(ctx: CliContext, srcPath: string, ctr: string, destPath: string, o: { keepOwner: boolean; follow: boolean }): Promise<number> {
  const client = ctx.client();
  if (srcPath === '-') {
    await client.putArchive(ctr, destPath, Readable.from(process.stdin), { keepOwner: true });
    return 0;
  }
  let sst: fs.Stats;
  try {
    sst = o.follow ? fs.statSync(srcPath) : fs.lstatSync(srcPath);
  } catch {
    throw new Error(`could not find the file ${srcPath}: no such file or directory`);
  }
  const srcIsDir = sst.isDirectory();
  if (hasSlash(srcPath) && !srcIsDir) throw new Error(`${srcPath}: not a directory`);
  const dstat = await client.archiveStat(ctr, destPath, true);
  let extractDir: string;
  let name: string;
  if (dstat?.type === 'dir') {
    extractDir = destPath;
    name = srcIsDir && isContents(srcPath) ? '.' : base(srcPath);
  } else if (dstat) {
    if (srcIsDir) throw new Error(`cannot copy a directory to a file: ${destPath}`);
    extractDir = path.posix.dirname(destPath);
    name = path.posix.basename(destPath);
  } else {
    if (destPath.endsWith('/')) throw new Error(`destination directory ${destPath} does not exist in container ${ctr}`);
    extractDir = path.posix.dirname(destPath);
    name = path.posix.basename(destPath);
  }
  const pack = tar.pack();
  const packing = packHost(pack, srcPath, sst, name).then(
    () => pack.finalize(),
    (e) => pack.destroy(e as Error),
  );
  await client.putArchive(ctr, extractDir, Readable.from(pack as unknown as AsyncIterable<Buffer>), { keepOwner: o.keepOwner });
  await packing;
  return 0;
}

/** Packs the host tree at `src` (whose top stat is `top`: -L already applied) as `name`. */
async function packHost(pack: tar.Pack, src: string, top: fs.Stats, name: string): Promise<void> {
  const walk = async (p: string, st: fs.Stats, n: string): Promise<void> => {
    const common = { name: n, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (st.isDirectory()) {
      await entry(pack, { ...common, type: 'directory' });
      for (const c of fs.readdirSync(p).sort()) await walk(path.join(p, c), fs.lstatSync(path.join(p, c)), `${n}/${c}`);
    } else if (st.isSymbolicLink()) {
      await entry(pack, { ...common, type: 'symlink', linkname: fs.readlinkSync(p) });
    } else if (st.isFile()) {
      await new Promise<void>((resolve, reject) => {
        const w = pack.entry({ ...common, type: 'file', size: st.size }, (e) => (e ? reject(e) : resolve()));
        fs.createReadStream(p).on('error', reject).pipe(w);
      });
    }
    // sockets, fifos and devices are not copied (docker cp skips sockets too)
  };
  await walk(src, top, name);
}

function entry(pack: tar.Pack, h: Partial<tar.Header> & { name: string }): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(h, (e) => (e ? reject(e) : resolve())));
}
