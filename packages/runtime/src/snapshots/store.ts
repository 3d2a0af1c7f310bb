// Snapshots: one directory per unpacked layer, keyed by chain id, stacked as overlayfs lowerdirs.
//   snapshots/<shortkey>/fs     the unpacked layer (overlay whiteouts already converted)
//   snapshots/<shortkey>/chain  the full chain id, so a short key can be checked
// The short key (first 16 hex of the chain id) keeps mount options under a page for deep images.
// A layer is unpacked into snapshots/.tmp-* and renamed into place only when complete, so a
// crash leaves either nothing or a committed snapshot. This module never mounts: `mounts()`
// returns a description for the helper to perform (containerd's snapshotter contract).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { conflict, invalid, notFound } from '../errors';

export interface Mount {
  type: string;
  source: string;
  options: string[];
}

const CHAIN_RE = /^sha256:[a-f0-9]{64}$/;
const SHORTKEY_RE = /^[a-f0-9]{16}$/;
const TMP_PREFIX = '.tmp-';

export interface PrepareResult<T> {
  /** The committed `fs` directory. */
  dir: string;
  /** false when an existing committed snapshot was reused and `unpackInto` was not called. */
  created: boolean;
  result?: T;
}

function validateChainId(chainId: string): string {
  if (typeof chainId !== 'string' || !CHAIN_RE.test(chainId)) {
    throw invalid(`invalid chain id "${String(chainId).slice(0, 100)}": must be sha256:<64 hex>`);
  }
  return chainId;
}

export class SnapshotStore {
  private readonly usageCache = new Map<string, number>();
  constructor(readonly root: string) {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  shortKey(chainId: string): string {
    return validateChainId(chainId).slice('sha256:'.length, 'sha256:'.length + 16);
  }

  /** Directory of the snapshot (validated chain id); it need not exist. */
  private base(chainId: string): string {
    return path.join(this.root, this.shortKey(chainId));
  }

  /** The `fs` directory of a snapshot, as used in lowerdir. */
  dir(chainId: string): string {
    return path.join(this.base(chainId), 'fs');
  }

  /** True when a committed snapshot for exactly this chain id exists. */
  has(chainId: string): boolean {
    const base = this.base(chainId);
    try {
      const recorded = fs.readFileSync(path.join(base, 'chain'), 'utf8').trim();
      if (recorded !== chainId) {
        throw conflict(`snapshot key ${this.shortKey(chainId)} is taken by ${recorded}, not ${chainId}`);
      }
      return fs.statSync(path.join(base, 'fs')).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  /**
   * Makes the snapshot for `chainId` exist. When it is already committed, it is reused;
   * otherwise `unpackInto` fills a fresh temp dir which is then renamed into place. The parent
   * (when given) must already be committed. A failing `unpackInto` leaves nothing behind.
   */
  async prepare<T>(
    chainId: string,
    parentChainId: string | null | undefined,
    unpackInto: (dir: string) => Promise<T>,
  ): Promise<PrepareResult<T>> {
    validateChainId(chainId);
    if (parentChainId) {
      validateChainId(parentChainId);
      if (!this.has(parentChainId)) throw notFound(`parent snapshot ${parentChainId} not found`);
    }
    if (this.has(chainId)) return { dir: this.dir(chainId), created: false };

    const tmp = path.join(this.root, `${TMP_PREFIX}${Date.now()}-${randomBytes(6).toString('hex')}`);
    await fsp.mkdir(tmp, { mode: 0o700 });
    try {
      const fsDir = path.join(tmp, 'fs');
      await fsp.mkdir(fsDir, { mode: 0o755 });
      const result = await unpackInto(fsDir);
      if (parentChainId) await fsp.writeFile(path.join(tmp, 'parent'), `${parentChainId}\n`);
      await writeSynced(path.join(tmp, 'chain'), `${chainId}\n`);
      try {
        await fsp.rename(tmp, this.base(chainId));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // Someone committed the same snapshot meanwhile: keep theirs.
        if ((code === 'ENOTEMPTY' || code === 'EEXIST') && this.has(chainId)) {
          await fsp.rm(tmp, { recursive: true, force: true });
          return { dir: this.dir(chainId), created: false, result };
        }
        throw e;
      }
      await syncDir(this.root);
      return { dir: this.dir(chainId), created: true, result };
    } catch (e) {
      await fsp.rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  /**
   * Describes the overlay mount for a container: `chainIds` bottom-most first (image order),
   * lowerdir lists them top-most first as overlayfs wants. Does not mount.
   */
  mounts(chainIds: string[], upper: string, work: string): Mount {
    if (chainIds.length === 0) throw invalid('an overlay mount needs at least one layer');
    for (const p of [upper, work]) {
      if (!path.isAbsolute(p) || /[,:]/.test(p)) throw invalid(`invalid overlay directory "${p}"`);
    }
    if (/[,:]/.test(this.root)) throw invalid(`snapshot root "${this.root}" cannot be used in mount options`);
    const lower = [...chainIds].reverse().map((c) => this.dir(c));
    return {
      type: 'overlay',
      source: 'overlay',
      options: [`lowerdir=${lower.join(':')}`, `upperdir=${upper}`, `workdir=${work}`],
    };
  }

  /** Removes a snapshot; no error when it is already gone. */
  async remove(chainId: string): Promise<void> {
    const base = this.base(chainId);
    if (!fs.existsSync(base)) return;
    if (!this.has(chainId)) {
      // Key exists but belongs to another chain or is incomplete: never remove someone else's.
      const recorded = readChain(base);
      if (recorded && recorded !== chainId) throw conflict(`snapshot ${this.shortKey(chainId)} belongs to ${recorded}`);
    }
    // Rename first so a crash mid-delete never leaves a half-removed committed snapshot.
    this.usageCache.delete(chainId);
    const doomed = path.join(this.root, `${TMP_PREFIX}rm-${randomBytes(6).toString('hex')}`);
    await fsp.rename(base, doomed);
    await fsp.rm(doomed, { recursive: true, force: true });
  }

  /**
   * Bytes used by the snapshot's files (hardlinked files counted once). A committed snapshot never
   * changes, so the walk is done once per snapshot and remembered (a build's commit, `images` and
   * `history` ask for it again and again).
   */
  async usage(chainId: string): Promise<number> {
    if (!this.has(chainId)) throw notFound(`snapshot ${chainId} not found`);
    const known = this.usageCache.get(chainId);
    if (known !== undefined) return known;
    const bytes = await diskUsage(this.dir(chainId));
    this.usageCache.set(chainId, bytes);
    return bytes;
  }

  /** Chain ids of all committed snapshots. */
  list(): string[] {
    const out: string[] = [];
    for (const name of fs.readdirSync(this.root)) {
      if (!SHORTKEY_RE.test(name)) continue;
      const chain = readChain(path.join(this.root, name));
      if (chain && CHAIN_RE.test(chain) && chain.slice(7, 23) === name) out.push(chain);
    }
    return out.sort();
  }

  /**
   * Removes temp dirs older than `olderThanMs` and directories that are not committed
   * snapshots (no valid chain file); returns how many.
   */
  async cleanTemp(olderThanMs = 0): Promise<number> {
    let n = 0;
    const now = Date.now();
    for (const name of await fsp.readdir(this.root)) {
      const p = path.join(this.root, name);
      const committed = SHORTKEY_RE.test(name) && readChain(p)?.slice(7, 23) === name;
      if (committed) continue;
      try {
        const st = await fsp.lstat(p);
        if (now - st.mtimeMs < olderThanMs) continue;
        await fsp.rm(p, { recursive: true, force: true });
        n++;
      } catch {
        // gone already
      }
    }
    return n;
  }
}

function readChain(base: string): string | null {
  try {
    return fs.readFileSync(path.join(base, 'chain'), 'utf8').trim();
  } catch {
    return null;
  }
}

async function writeSynced(file: string, data: string): Promise<void> {
  const fh = await fsp.open(file, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Sums apparent file sizes under `dir` without following symlinks, each inode once. */
export async function diskUsage(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    const entries = await fsp.readdir(d, { withFileTypes: true });
    for (const ent of entries) {
      const p = path.join(d, ent.name);
      const st = await fsp.lstat(p, { bigint: false });
      if (st.isDirectory()) {
        stack.push(p);
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      if (st.nlink > 1) {
        if (seen.has(key)) continue;
        seen.add(key);
      }
      if (st.isFile() || st.isSymbolicLink()) total += st.size;
    }
  }
  return total;
}
