// A container's changes as an OCI layer: GNU tar reads the overlay upper dir (owners, modes,
// hardlinks, symlinks, devices, the xattrs that matter), and the entry stream is rewritten on
// the way through: overlay whiteouts (0:0 character devices) become `.wh.NAME` files and
// `trusted.overlay.opaque=y` directories get a `.wh..wh..opq` entry. Also: storing an
// uncompressed layer tar as a gzip blob with its diff id, and unpacking it as a snapshot.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { internal, wrap } from '../errors';
import { RUNTIME_TARGETS } from '../containers/changes';
import type { ContentStore } from '../content/store';
import type { SnapshotStore } from '../snapshots/store';
import { detectCompression, processLayer, sniff, type UnpackFn } from '../images/layer';
import { MT, chainIds as computeChainIds, type LayerDescriptor } from '../images/oci';

const OPAQUE_KEY = 'SCHILY.xattr.trusted.overlay.opaque';

/**
 * Reproducible layers (`SOURCE_DATE_EPOCH`, as BuildKit): mtimes later than the epoch become the
 * epoch; the pax atime/ctime records GNU tar may add are dropped. Entries are sorted by name.
 */
export function clampMtime(d: Date, epoch: number | undefined): Date;
export function clampMtime(d: Date | undefined, epoch: number | undefined): Date | undefined;
export function clampMtime(d: Date | undefined, epoch: number | undefined): Date | undefined {
  if (epoch === undefined) return d;
  const e = new Date(epoch * 1000);
  return !d || d.getTime() > e.getTime() ? e : d;
}

/** The upper dir as an OCI layer tar stream (uncompressed), whiteouts converted. */
export function upperDirTar(upperDir: string, opts: { epoch?: number } = {}): Readable {
  const gnu = spawn(
    'tar',
    [
      '-C', upperDir, '-cf', '-', '--numeric-owner', '--sort=name', '--xattrs',
      '--xattrs-include=trusted.overlay.opaque', '--xattrs-include=security.capability', '--xattrs-include=user.*',
      // the mount targets the runtime makes at every start are not the container's changes
      '--anchored', ...[...RUNTIME_TARGETS].map((t) => `--exclude=.${t}`),
      '.',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  gnu.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4000) stderr += d.toString();
  });
  const extract = tar.extract();
  const pack = tar.pack();
  extract.on('entry', (header, stream, next) => {
    let name = header.name.replace(/^\.\//, '').replace(/^\.$/, '');
    if (name === '' || name === './') {
      stream.resume();
      stream.on('end', next);
      return;
    }
    name = name.replace(/\/$/, '');
    const pax = { ...(header.pax ?? {}) } as Record<string, string>;
    const opaque = pax[OPAQUE_KEY] === 'y';
    for (const k of Object.keys(pax)) if (k.startsWith('SCHILY.xattr.trusted.overlay.')) delete pax[k];
    if (opts.epoch !== undefined) {
      for (const k of ['atime', 'ctime', 'mtime']) delete pax[k];
      header.mtime = clampMtime(header.mtime ?? new Date(0), opts.epoch);
    }
    if (header.type === 'character-device' && header.devmajor === 0 && header.devminor === 0) {
      const wh = path.posix.join(path.posix.dirname(name), `.wh.${path.posix.basename(name)}`);
      pack.entry({ name: wh, type: 'file', size: 0, mode: 0o600, uid: 0, gid: 0, mtime: header.mtime }, Buffer.alloc(0));
      stream.resume();
      stream.on('end', next);
      return;
    }
    const h = { ...header, name, pax: Object.keys(pax).length ? pax : undefined };
    if (header.type === 'directory') {
      pack.entry({ ...h, name: `${name}/` });
      if (opaque) pack.entry({ name: `${name}/.wh..wh..opq`, type: 'file', size: 0, mode: 0o600, uid: 0, gid: 0, mtime: header.mtime }, Buffer.alloc(0));
      stream.resume();
      stream.on('end', next);
      return;
    }
    const entry = pack.entry(h, (err) => (err ? next(err) : next()));
    stream.pipe(entry);
  });
  extract.on('finish', () => pack.finalize());
  extract.on('error', (e) => pack.destroy(e));
  gnu.on('close', (code) => {
    if (code !== 0) pack.destroy(internal(`tar of ${upperDir} exited with ${code}: ${stderr.trim()}`));
  });
  gnu.stdout.pipe(extract);
  return pack as unknown as Readable;
}

export interface StoredLayer {
  layer: LayerDescriptor;
  diffId: string;
}

/** Gzips an uncompressed layer tar into the content store; returns its descriptor and diff id. */
export async function storeLayer(content: ContentStore, tarStream: Readable): Promise<StoredLayer> {
  const hash = createHash('sha256');
  const tee = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const out = new PassThrough();
  const gz = zlib.createGzip();
  const piping = pipeline(tarStream, tee, gz, out);
  const [r] = await Promise.all([content.ingest(out), piping]).catch((e) => {
    throw wrap(e, 'writing layer');
  });
  return {
    layer: { mediaType: MT.ociLayerGzip, digest: r.digest, size: r.size },
    diffId: `sha256:${hash.digest('hex')}`,
  };
}

/** Unpacks a stored layer on top of `parentDiffIds` as a snapshot (the image store's path). */
export async function unpackAsSnapshot(
  deps: { content: ContentStore; snapshots: SnapshotStore; unpack: UnpackFn },
  parentDiffIds: string[],
  stored: StoredLayer,
): Promise<string> {
  const chain = computeChainIds([...parentDiffIds, stored.diffId]);
  const chainId = chain[chain.length - 1]!;
  const parent = chain.length > 1 ? chain[chain.length - 2]! : null;
  await deps.snapshots.prepare(chainId, parent, (dir) =>
    processLayer(deps.content.open(stored.layer.digest), `layer ${stored.layer.digest}`, stored.diffId, { fn: deps.unpack, dir }),
  );
  return chainId;
}

/**
 * ADD of a local archive: its entries re-rooted under `destDir` (names cleaned so `..` and
 * absolute names stay under it; the helper unpacks with the snapshot as the root anyway),
 * after `parents` (directory entries for the destination's parents).
 */
export function rerootedTar(archive: string, destDir: string, parents: string[], opts: { epoch?: number } = {}): Readable {
  const extract = tar.extract();
  const pack = tar.pack();
  const under = (n: string) => path.posix.join(destDir.replace(/^\/+/, ''), path.posix.normalize('/' + n).slice(1));
  for (const p of parents) pack.entry({ name: `${p}/`, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: new Date(0) });
  extract.on('entry', (header, stream, next) => {
    const name = under(header.name).replace(/\/$/, '');
    if (name === '' || name === destDir.replace(/^\/+|\/+$/g, '')) {
      stream.resume();
      stream.on('end', next);
      return;
    }
    const h = { ...header, name: header.type === 'directory' ? `${name}/` : name, mtime: clampMtime(header.mtime, opts.epoch), ...(header.type === 'link' && header.linkname ? { linkname: under(header.linkname) } : {}) };
    const entry = pack.entry(h, (err) => (err ? next(err) : next()));
    stream.pipe(entry);
  });
  extract.on('finish', () => pack.finalize());
  extract.on('error', (e) => pack.destroy(e));
  const src = fs.createReadStream(archive);
  void (async () => {
    try {
      const { head, stream } = await sniff(src, 2);
      const dec = detectCompression(head) === 'gzip' ? zlib.createGunzip() : null;
      if (dec) await pipeline(stream, dec, extract);
      else await pipeline(stream, extract);
    } catch (e) {
      pack.destroy(e as Error);
    }
  })();
  return pack as unknown as Readable;
}

export { Readable };
