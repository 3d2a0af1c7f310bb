// `COPY/ADD --chown=user:group` by name: /etc/passwd and /etc/group are read from the image's
// layers by the native helper (archive-out on the overlay of those layers, every path — symlinks
// included — resolved inside that root), and the names looked up here. Numeric ids need no files.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import tar from 'tar-stream';
import { BerthError, invalid } from '../errors';
import type { ArchivePort } from '../containers/ports';
import type { SnapshotStore } from '../snapshots/store';

export interface Owner {
  uid: number;
  gid: number;
}

const NUMERIC = /^\d+$/;
const MAX_ID = 0xfffffffe;

function numericId(s: string, what: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n > MAX_ID) throw invalid(`--chown: ${what} ${s} is out of range`);
  return n;
}

/** Whether resolving `spec` needs the image's passwd/group files. */
export function chownNeedsFiles(spec: string): boolean {
  const [u, g] = splitSpec(spec);
  return !NUMERIC.test(u) || (g !== undefined && !NUMERIC.test(g));
}

function splitSpec(spec: string): [string, string | undefined] {
  const parts = spec.split(':');
  if (parts.length > 2 || parts.some((p) => p === '' || /[\s\n]/.test(p))) throw invalid(`--chown ${spec}: expected USER[:GROUP] (names or numeric ids)`);
  return [parts[0]!, parts[1]];
}

/** `name:x:uid:gid:...` lines → the entry with that name, or null. */
function lookup(file: string | null, name: string): string[] | null {
  if (file === null) return null;
  for (const line of file.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] === name) return f;
  }
  return null;
}

/**
 * Docker's rules: USER alone means GID = UID (numerically), USER:GROUP looks each up by name
 * unless numeric. Unknown names fail.
 */
export function resolveOwner(spec: string, passwd: string | null, group: string | null): Owner {
  const [u, g] = splitSpec(spec);
  let uid: number;
  if (NUMERIC.test(u)) uid = numericId(u, 'uid');
  else {
    const e = lookup(passwd, u);
    if (!e || !NUMERIC.test(e[2] ?? '')) throw invalid(`--chown ${spec}: unable to find user ${u}: no matching entries in ${passwd === null ? 'the image (it has no /etc/passwd)' : '/etc/passwd'}`);
    uid = numericId(e[2]!, 'uid');
  }
  if (g === undefined) return { uid, gid: uid };
  let gid: number;
  if (NUMERIC.test(g)) gid = numericId(g, 'gid');
  else {
    const e = lookup(group, g);
    if (!e || !NUMERIC.test(e[2] ?? '')) throw invalid(`--chown ${spec}: unable to find group ${g}: no matching entries in ${group === null ? 'the image (it has no /etc/group)' : '/etc/group'}`);
    gid = numericId(e[2]!, 'gid');
  }
  return { uid, gid };
}

/** A regular file's bytes from a tar stream (its first entry), capped at `limit`. */
async function firstFile(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer | null> {
  const ex = tar.extract();
  let out: Buffer | null = null;
  ex.on('entry', (h, s, next) => {
    const chunks: Buffer[] = [];
    let size = 0;
    s.on('data', (d: unknown) => {
      const c = d as Buffer;
      size += c.length;
      if (out === null && h.type === 'file' && size <= limit) chunks.push(c);
    });
    s.on('end', () => {
      if (out === null && h.type === 'file' && size <= limit) out = Buffer.concat(chunks);
      next();
    });
  });
  const done = new Promise<void>((res, rej) => {
    ex.on('finish', res);
    ex.on('error', rej);
  });
  stream.pipe(ex);
  await done;
  return out;
}

/**
 * The passwd and group files of the image made of `chainIds` (null where absent), read by the
 * helper from an overlay of those snapshots mounted under a temp dir.
 */
export async function readUserFiles(
  deps: { archive: ArchivePort | undefined; snapshots: SnapshotStore; tmp: string },
  chainIds: string[],
): Promise<{ passwd: string | null; group: string | null }> {
  if (chainIds.length === 0) return { passwd: null, group: null };
  if (!deps.archive) throw new BerthError('not_implemented', '--chown by name needs the native helper');
  const dir = await fsp.mkdtemp(path.join(deps.tmp, 'build-users-'));
  try {
    for (const d of ['upper', 'work', 'root']) fs.mkdirSync(path.join(dir, d));
    const root = { mount: deps.snapshots.mounts(chainIds, path.join(dir, 'upper'), path.join(dir, 'work')), at: path.join(dir, 'root') };
    const read = async (p: string): Promise<string | null> => {
      const out = deps.archive!.out(root, p, { follow: true });
      try {
        const [buf] = await Promise.all([firstFile(out.stream, 16 << 20), out.done]);
        return buf ? buf.toString('utf8') : null;
      } catch (e) {
        out.kill();
        if (e instanceof BerthError && e.code === 'not_found') return null;
        throw e;
      }
    };
    return { passwd: await read('/etc/passwd'), group: await read('/etc/group') };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
