// `berth cp` through the helper: stat, tar out of and tar into a container's root. Every path is
// resolved by the helper inside that root (docs/native-helper.md, archive-out/archive-in).
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { BerthError } from '../errors';
import { helperPath } from './helper-path';
import { parseLogLines, runHelper } from './run-helper';

/** A running container's pid (its mount namespace), or a stopped one's rootfs mount and a place for it. */
export type ArchiveRoot = { pid: number } | { mount: { type: string; source: string; options: string[] }; at: string };

export interface PathStat {
  name: string;
  size: number;
  mode: number;
  type: 'dir' | 'file' | 'symlink' | 'other';
  linkTarget: string;
}

export function rootArgs(root: ArchiveRoot): string[] {
  if ('pid' in root) return ['--pid', String(root.pid)];
  return ['--mount-type', root.mount.type, '--mount-source', root.mount.source, '--mount-options', root.mount.options.join(','), '--mount-at', root.at];
}

export interface DirEntry extends PathStat {
  uid: number;
  gid: number;
  mtime: number;
}

function archiveError(msg: string): BerthError {
  if (/no such file or directory/.test(msg)) return new BerthError('not_found', msg);
  if (/not a directory|must be|read-only file system/i.test(msg)) return new BerthError('invalid_argument', msg);
  return new BerthError('internal', msg);
}

export async function archiveStat(root: ArchiveRoot, p: string, follow: boolean): Promise<PathStat> {
  try {
    const r = await runHelper(['archive-out', ...rootArgs(root), '--path', p, '--stat', ...(follow ? ['--follow'] : [])], { what: 'stat' });
    return JSON.parse(r.stdout.trim()) as PathStat;
  } catch (e) {
    throw archiveError((e as Error).message);
  }
}

/** The entries of the directory `p` (not followed), at most 5000. */
export async function archiveList(root: ArchiveRoot, p: string): Promise<{ entries: DirEntry[]; truncated: boolean }> {
  let out: string;
  try {
    out = (await runHelper(['archive-out', ...rootArgs(root), '--path', p, '--list'], { what: 'list' })).stdout;
  } catch (e) {
    throw archiveError((e as Error).message);
  }
  const entries: DirEntry[] = [];
  let truncated = false;
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const v = JSON.parse(line) as DirEntry | { truncated: true };
    if ('truncated' in v) truncated = true;
    else entries.push(v);
  }
  return { entries, truncated };
}

/** Streams a tar of `p`; `done` settles when the helper exits (rejecting with its error). */
export function archiveOut(root: ArchiveRoot, p: string, opts: { rebase?: string; follow?: boolean; oneFileSystem?: boolean }): { stream: Readable; done: Promise<void>; kill(): void } {
  const args = ['archive-out', ...rootArgs(root), '--path', p, ...(opts.rebase !== undefined ? ['--rebase', opts.rebase] : []), ...(opts.follow ? ['--follow'] : []), ...(opts.oneFileSystem ? ['--one-file-system'] : [])];
  const child = spawn(helperPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const err: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e) => reject(new BerthError('internal', `copy from ${p}: spawn helper: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const last = parseLogLines(Buffer.concat(err).toString('utf8')).reverse().find((l) => l.level === 'error');
      reject(archiveError(last?.msg ?? `copy from ${p}: helper exited with ${code}`));
    });
  });
  return { stream: child.stdout, done, kill: () => child.exitCode === null && child.kill('SIGKILL') };
}

export async function archiveIn(
  root: ArchiveRoot,
  p: string,
  body: NodeJS.ReadableStream,
  opts: { rebase?: string; keepOwner?: boolean },
): Promise<{ files: number; bytes: number }> {
  const args = ['archive-in', ...rootArgs(root), '--path', p, ...(opts.rebase ? ['--rebase', opts.rebase] : []), ...(opts.keepOwner ? ['--keep-owner'] : [])];
  try {
    const r = await runHelper(args, { stdin: body, what: 'copy' });
    return JSON.parse(r.stdout.trim()) as { files: number; bytes: number };
  } catch (e) {
    throw archiveError((e as Error).message);
  }
}
