// The image service: load (OCI layout dir/tar, `docker save` tar), import (rootfs tarball),
// list, inspect, resolve, remove, gc. Order of writes: blobs (verified) → snapshots (unpacked,
// diff ids verified, committed by rename) → one DB transaction with image rows and tags. A
// failed load removes the blobs and snapshots it created, so the store is as it was; a crash
// leaves at worst unreferenced blobs/snapshots, which gc() removes. Mutations are serialised.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { eq, like } from 'drizzle-orm';
import type { HistoryEntry, ImageConfig, ImageInspect, ImageLayer, ImageSummary, LoadResult, PruneResult } from '@berth/shared';
import { conflict, invalid, notFound, wrap } from '../errors';
import type { MetadataDb } from '../metadata/db';
import { images, tags } from '../metadata/images-schema';
import { ContentStore, sha256Digest, type BlobRef } from '../content/store';
import type { SnapshotStore } from '../snapshots/store';
import { openArchive, cleanArchivePath, type ArchiveSource } from './archive-source';
import { processLayer, sniff, detectCompression, type UnpackFn } from './layer';
import {
  CONTAINERD_NAME_ANNOTATION,
  INDEX_TYPES,
  MANIFEST_TYPES,
  MT,
  REF_NAME_ANNOTATION,
  chainIds as computeChainIds,
  parseConfig,
  parseDescriptor,
  parseIndex,
  parseManifest,
  platformMatches,
  toImageConfig,
  type Descriptor,
  type LayerDescriptor,
  type Platform,
  type RawImageConfig,
} from './oci';
import { familiarName, familiarRepository, formatReference, parseReference, type Reference } from './reference';

export interface ImageServiceOptions {
  db: MetadataDb;
  content: ContentStore;
  snapshots: SnapshotStore;
  /** Extracts a (plain, gzip or zstd) tar stream into `targetDir`, converting whiteouts. */
  unpack: UnpackFn;
  /** Scratch space on the data root's filesystem (archive spooling). */
  tmpDir: string;
  /** Whether a container uses the image; remove() refuses such images without force. */
  isImageInUse?: (id: string) => boolean;
  /** Platform picked from multi-platform indexes; linux/amd64 by default. */
  platform?: Platform;
}

export interface ResolvedImage {
  id: string;
  config: ImageConfig;
  chainIds: string[];
  /** Familiar name it was found by (or its first tag, or its short id). */
  name: string;
}

export interface RemoveResult {
  untagged: string[];
  deleted: string[];
}

export interface GcResult {
  blobs: string[];
  snapshots: string[];
  temp: number;
}

const JSON_LIMIT = 8 << 20;
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

type ImageRow = typeof images.$inferSelect;

/** An image whose blobs are stored and waits for snapshots and its DB row. */
interface PendingImage {
  id: string;
  manifestDigest: string;
  configJson: string;
  raw: RawImageConfig;
  diffIds: string[];
  layers: LayerDescriptor[];
  tags: Set<string>; // normalised refs
}

/** What one load/import created, so a failure can take it back. */
class Undo {
  readonly blobs = new Set<string>();
  readonly snapshots = new Set<string>();
}

export class ImageService {
  private readonly db: MetadataDb;
  private readonly content: ContentStore;
  private readonly snapshots: SnapshotStore;
  private readonly unpack: UnpackFn;
  private readonly tmpDir: string;
  private readonly isImageInUse: (id: string) => boolean;
  private readonly platform: Platform;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: ImageServiceOptions) {
    this.db = opts.db;
    this.content = opts.content;
    this.snapshots = opts.snapshots;
    this.unpack = opts.unpack;
    this.tmpDir = opts.tmpDir;
    this.isImageInUse = opts.isImageInUse ?? (() => false);
    this.platform = opts.platform ?? { os: 'linux', architecture: 'amd64' };
    fs.mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  /** Runs mutations one at a time so rollback and gc never race another load. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  // ---------------------------------------------------------------- load

  /** Loads an OCI layout (dir or tar) or a `docker save` tar. */
  load(source: string | NodeJS.ReadableStream): Promise<LoadResult> {
    return this.exclusive(async () => {
      const undo = new Undo();
      let archive: ArchiveSource | null = null;
      try {
        archive = await openArchive(source, this.tmpDir);
        const pending = await this.readArchive(archive, undo);
        await archive.close();
        archive = null;
        const sizes = new Map<string, number>();
        for (const img of pending) sizes.set(img.id, await this.unpackImage(img, undo));
        this.commit(pending, sizes);
        await this.dropUnreferenced(undo);
        return {
          loaded: pending.map((p) => ({ id: p.id, tags: [...p.tags].map((t) => familiarName(t)) })),
        };
      } catch (e) {
        await archive?.close().catch(() => {});
        await this.rollback(undo);
        throw wrap(e, 'loading image');
      }
    });
  }

  private async readArchive(src: ArchiveSource, undo: Undo): Promise<PendingImage[]> {
    const hasIndex = src.has('index.json');
    const hasDockerManifest = src.has('manifest.json');
    let pending: PendingImage[];
    if (hasIndex) {
      if (src.has('oci-layout')) {
        const layout = parseJson(await src.readFile('oci-layout', 1 << 16), 'oci-layout') as { imageLayoutVersion?: unknown };
        if (typeof layout?.imageLayoutVersion === 'string' && !layout.imageLayoutVersion.startsWith('1.')) {
          throw invalid(`unsupported OCI layout version ${layout.imageLayoutVersion}`);
        }
      }
      pending = await this.readOciLayout(src, undo);
      // docker save (25+) writes both; its RepoTags name images an index may leave unnamed.
      if (hasDockerManifest) await this.addDockerRepoTags(src, pending);
    } else if (hasDockerManifest) {
      pending = await this.readDockerSave(src, undo);
    } else {
      throw invalid(`${src.description} is not an image archive: it has neither index.json (OCI layout) nor manifest.json (docker save)`);
    }
    if (pending.length === 0) {
      throw invalid(`${src.description} has no image for ${this.platform.os}/${this.platform.architecture}`);
    }
    return pending;
  }

  private blobPath(digest: string): string {
    return `blobs/sha256/${digest.slice('sha256:'.length)}`;
  }

  /** Reads a blob from the archive into memory, checking size and digest (not stored). */
  private async readVerified(src: ArchiveSource, desc: BlobRef, what: string): Promise<Buffer> {
    const p = this.blobPath(desc.digest);
    if (!src.has(p)) throw invalid(`${src.description} is missing ${what} blob ${desc.digest}`);
    if (desc.size > JSON_LIMIT) throw invalid(`${what} blob ${desc.digest} is too large (${desc.size} bytes)`);
    const buf = await src.readFile(p, JSON_LIMIT);
    if (buf.length !== desc.size) {
      throw invalid(`blob ${desc.digest} size mismatch: expected ${desc.size} bytes, got ${buf.length}`);
    }
    const got = sha256Digest(buf);
    if (got !== desc.digest) throw invalid(`blob ${desc.digest} digest mismatch: got ${got}`);
    return buf;
  }

  /** Stores a blob from the archive, verified against its descriptor. */
  private async storeBlob(src: ArchiveSource, desc: BlobRef, what: string, undo: Undo): Promise<void> {
    const p = this.blobPath(desc.digest);
    if (!src.has(p)) throw invalid(`${src.description} is missing ${what} blob ${desc.digest}`);
    const r = await this.content.ingest(src.open(p), { digest: desc.digest, size: desc.size });
    if (r.created) undo.blobs.add(r.digest);
  }

  private async storeBuffer(buf: Buffer, undo: Undo): Promise<string> {
    const r = await this.content.ingest(buf);
    if (r.created) undo.blobs.add(r.digest);
    return r.digest;
  }

  private async readOciLayout(src: ArchiveSource, undo: Undo): Promise<PendingImage[]> {
    const index = parseIndex(parseJson(await src.readFile('index.json', JSON_LIMIT), 'index.json'), 'index.json');
    const byId = new Map<string, PendingImage>();
    for (const desc of index) {
      const names = namesFromAnnotations(desc.annotations);
      const manifests = await this.selectManifests(src, desc, 0);
      for (const m of manifests) {
        const img = await this.readOciImage(src, m, undo);
        const seen = byId.get(img.id);
        if (seen) for (const n of names) seen.tags.add(n);
        else {
          for (const n of names) img.tags.add(n);
          byId.set(img.id, img);
        }
      }
    }
    return [...byId.values()];
  }

  /** Manifest descriptors under `desc` for our platform (indexes are followed). */
  private async selectManifests(src: ArchiveSource, desc: Descriptor, depth: number): Promise<Descriptor[]> {
    if (depth > 4) throw invalid(`image index nesting is too deep at ${desc.digest}`);
    if (desc.platform && !platformMatches(desc.platform, this.platform)) return [];
    let mediaType = desc.mediaType;
    let body: unknown;
    if (!mediaType || INDEX_TYPES.has(mediaType)) {
      body = parseJson(await this.readVerified(src, desc, 'manifest'), `blob ${desc.digest}`);
      if (!mediaType) mediaType = sniffMediaType(body);
    }
    if (mediaType && MANIFEST_TYPES.has(mediaType)) return [desc];
    if (mediaType && INDEX_TYPES.has(mediaType)) {
      const children = parseIndex(body, `image index ${desc.digest}`);
      const matching = children.filter((c) => c.platform && platformMatches(c.platform, this.platform));
      // One image per platform: the first matching manifest, as Docker picks it.
      const firstManifest = matching.find((c) => !c.mediaType || MANIFEST_TYPES.has(c.mediaType));
      if (firstManifest) return this.selectManifests(src, firstManifest, depth + 1);
      const out: Descriptor[] = [];
      for (const c of children.filter((c) => !c.platform || platformMatches(c.platform, this.platform))) {
        if (c.mediaType && INDEX_TYPES.has(c.mediaType)) out.push(...(await this.selectManifests(src, c, depth + 1)));
      }
      if (out.length === 0) {
        throw invalid(`image index ${desc.digest} has no manifest for ${this.platform.os}/${this.platform.architecture}`);
      }
      return out.slice(0, 1);
    }
    return []; // other artifacts (signatures, attestations) are not images
  }

  private async readOciImage(src: ArchiveSource, desc: Descriptor, undo: Undo): Promise<PendingImage> {
    await this.storeBlob(src, desc, 'manifest', undo);
    const manifest = parseManifest(await this.content.readJson(desc.digest, JSON_LIMIT), `manifest ${desc.digest}`);
    await this.storeBlob(src, manifest.config, 'config', undo);
    const configBuf = await fsp.readFile(this.content.path(manifest.config.digest));
    const { raw, diffIds } = parseConfig(parseJson(configBuf, `config ${manifest.config.digest}`), `config ${manifest.config.digest}`);
    if (diffIds.length !== manifest.layers.length) {
      throw invalid(
        `manifest ${desc.digest} has ${manifest.layers.length} layers but its config lists ${diffIds.length} diff ids`,
      );
    }
    for (const layer of manifest.layers) await this.storeBlob(src, layer, 'layer', undo);
    return {
      id: manifest.config.digest,
      manifestDigest: desc.digest,
      configJson: configBuf.toString('utf8'),
      raw,
      diffIds,
      layers: manifest.layers,
      tags: new Set(),
    };
  }

  private async readDockerManifest(src: ArchiveSource): Promise<DockerSaveEntry[]> {
    const v = parseJson(await src.readFile('manifest.json', JSON_LIMIT), 'manifest.json');
    if (!Array.isArray(v)) throw invalid('manifest.json is not a list of images');
    return v.map((e, i) => {
      const what = `manifest.json entry ${i}`;
      if (typeof e !== 'object' || e === null) throw invalid(`${what} is not an object`);
      const o = e as Record<string, unknown>;
      const config = cleanArchivePath(o.Config, `${what} Config`);
      if (!Array.isArray(o.Layers)) throw invalid(`${what} has no Layers list`);
      const layers = o.Layers.map((l, j) => cleanArchivePath(l, `${what} layer ${j}`));
      const repoTags = Array.isArray(o.RepoTags) ? o.RepoTags : [];
      const refs = repoTags.map((t) => {
        if (typeof t !== 'string') throw invalid(`${what} has a non-string RepoTag`);
        return tagRef(t, `${what} RepoTag`);
      });
      return { config, layers, refs: refs.filter((r): r is string => r !== null) };
    });
  }

  private async addDockerRepoTags(src: ArchiveSource, pending: PendingImage[]): Promise<void> {
    for (const e of await this.readDockerManifest(src)) {
      const hex = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(e.config)?.[1];
      const img = hex && pending.find((p) => p.id === `sha256:${hex}`);
      if (img) for (const r of e.refs) img.tags.add(r);
    }
  }

  private async readDockerSave(src: ArchiveSource, undo: Undo): Promise<PendingImage[]> {
    const byId = new Map<string, PendingImage>();
    for (const entry of await this.readDockerManifest(src)) {
      if (!src.has(entry.config)) throw invalid(`${src.description} is missing config ${entry.config}`);
      const configBuf = await src.readFile(entry.config, JSON_LIMIT);
      const id = sha256Digest(configBuf);
      const claimed = hexFromPath(entry.config);
      if (claimed && `sha256:${claimed}` !== id) throw invalid(`config ${entry.config} digest mismatch: got ${id}`);
      const { raw, diffIds } = parseConfig(parseJson(configBuf, `config ${entry.config}`), `config ${entry.config}`);
      if (diffIds.length !== entry.layers.length) {
        throw invalid(`image ${id} has ${entry.layers.length} layers but its config lists ${diffIds.length} diff ids`);
      }
      await this.storeBuffer(configBuf, undo);
      const layers: LayerDescriptor[] = [];
      for (const [i, lp] of entry.layers.entries()) {
        if (!src.has(lp)) throw invalid(`${src.description} is missing layer ${lp}`);
        const raw = src.open(lp);
        const { head, stream } = await sniff(raw, 8);
        stream.destroy();
        raw.destroy();
        const compression = detectCompression(head);
        const size = src.size(lp);
        const claimedHex = hexFromPath(lp);
        // A plain layer's blob digest is its diff id; a blobs/sha256 path names its digest.
        const expected = claimedHex
          ? `sha256:${claimedHex}`
          : compression === 'none'
            ? diffIds[i]!
            : undefined;
        const r = await this.content.ingest(src.open(lp), expected ? { digest: expected, size } : undefined);
        if (r.created) undo.blobs.add(r.digest);
        const mediaType =
          compression === 'gzip' ? MT.ociLayerGzip : compression === 'zstd' ? MT.ociLayerZstd : MT.ociLayer;
        layers.push({ mediaType, digest: r.digest, size: r.size });
      }
      const manifestBuf = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MT.ociManifest,
          config: { mediaType: MT.ociConfig, digest: id, size: configBuf.length },
          layers,
        }),
      );
      const manifestDigest = await this.storeBuffer(manifestBuf, undo);
      const seen = byId.get(id);
      if (seen) for (const r of entry.refs) seen.tags.add(r);
      else {
        byId.set(id, {
          id,
          manifestDigest,
          configJson: configBuf.toString('utf8'),
          raw,
          diffIds,
          layers,
          tags: new Set(entry.refs),
        });
      }
    }
    return [...byId.values()];
  }

  /** Unpacks (or reuses) each layer's snapshot, verifying diff ids; returns the unpacked size. */
  private async unpackImage(img: PendingImage, undo: Undo): Promise<number> {
    const chain = computeChainIds(img.diffIds);
    let size = 0;
    for (const [i, layer] of img.layers.entries()) {
      const chainId = chain[i]!;
      const diffId = img.diffIds[i]!;
      const label = `layer ${layer.digest}`;
      if (this.snapshots.has(chainId)) {
        // Reused snapshot: still prove this blob is the layer the config names.
        await processLayer(this.content.open(layer.digest), label, diffId);
      } else {
        const r = await this.snapshots.prepare(chainId, i > 0 ? chain[i - 1]! : null, (dir) =>
          processLayer(this.content.open(layer.digest), label, diffId, { fn: this.unpack, dir }),
        );
        if (r.created) undo.snapshots.add(chainId);
      }
      size += await this.snapshots.usage(chainId);
    }
    return size;
  }

  private commit(pending: PendingImage[], sizes: Map<string, number>): void {
    const now = Date.now();
    this.db.transaction((tx) => {
      for (const img of pending) {
        tx.insert(images)
          .values({
            id: img.id,
            manifestDigest: img.manifestDigest,
            config: img.configJson,
            chainIds: JSON.stringify(computeChainIds(img.diffIds)),
            layers: JSON.stringify(img.layers),
            size: sizes.get(img.id) ?? 0,
            created: typeof img.raw.created === 'string' ? img.raw.created : null,
            loadedAt: now,
          })
          .onConflictDoNothing()
          .run();
        for (const ref of img.tags) {
          tx.insert(tags)
            .values({ ref, imageId: img.id })
            .onConflictDoUpdate({ target: tags.ref, set: { imageId: img.id } })
            .run();
        }
      }
    });
  }

  /**
   * After a commit: content this load wrote that no image row names (the image was already
   * known under another manifest, e.g. a docker save of an OCI-loaded image) is dropped now
   * rather than left for gc.
   */
  private async dropUnreferenced(undo: Undo): Promise<void> {
    const { blobs, snapshots } = this.referenced();
    for (const c of [...undo.snapshots].reverse()) if (!snapshots.has(c)) await this.snapshots.remove(c).catch(() => {});
    for (const d of undo.blobs) if (!blobs.has(d)) await this.content.delete(d).catch(() => {});
  }

  private async rollback(undo: Undo): Promise<void> {
    for (const c of [...undo.snapshots].reverse()) await this.snapshots.remove(c).catch(() => {});
    for (const d of undo.blobs) await this.content.delete(d).catch(() => {});
  }

  // ---------------------------------------------------------------- import

  /** Like `docker import`: a rootfs tarball (plain or gzip) becomes a one-layer image. */
  import(
    source: string | NodeJS.ReadableStream,
    ref: string,
    opts: { cmd?: string[]; entrypoint?: string[]; env?: string[]; workingDir?: string } = {},
  ): Promise<{ id: string; tags: string[] }> {
    let tag: string | null;
    try {
      tag = tagRef(ref, 'import reference');
      if (!tag) throw invalid(`import reference "${ref}" must name a tag, not a digest`);
    } catch (e) {
      return Promise.reject(e);
    }
    const tagged = tag;
    return this.exclusive(async () => {
      const undo = new Undo();
      try {
        let input: NodeJS.ReadableStream;
        if (typeof source === 'string') {
          const st = await fsp.stat(source).catch(() => null);
          if (!st?.isFile()) throw notFound(`import source ${source} not found or not a file`);
          input = fs.createReadStream(source);
        } else input = source;
        const label = typeof source === 'string' ? `rootfs tarball ${source}` : 'rootfs tarball';
        const blob = await this.content.ingest(input);
        if (blob.created) undo.blobs.add(blob.digest);
        const { diffId, compression } = await processLayer(this.content.open(blob.digest), label, null);
        const r = await this.snapshots.prepare(diffId, null, (dir) =>
          processLayer(this.content.open(blob.digest), label, diffId, { fn: this.unpack, dir }),
        );
        if (r.created) undo.snapshots.add(diffId);
        const created = new Date().toISOString();
        const containerConfig: Record<string, unknown> = { Env: opts.env ?? [DEFAULT_PATH] };
        if (opts.cmd) containerConfig.Cmd = opts.cmd;
        if (opts.entrypoint) containerConfig.Entrypoint = opts.entrypoint;
        if (opts.workingDir) containerConfig.WorkingDir = opts.workingDir;
        const raw: RawImageConfig = {
          created,
          architecture: this.platform.architecture,
          os: this.platform.os,
          config: containerConfig,
          rootfs: { type: 'layers', diff_ids: [diffId] },
          history: [{ created, created_by: 'berth import', comment: 'Imported from tarball' }],
        };
        const configBuf = Buffer.from(JSON.stringify(raw));
        const configDigest = await this.storeBuffer(configBuf, undo);
        const layer: LayerDescriptor = {
          mediaType: compression === 'gzip' ? MT.ociLayerGzip : compression === 'zstd' ? MT.ociLayerZstd : MT.ociLayer,
          digest: blob.digest,
          size: blob.size,
        };
        const manifestBuf = Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MT.ociManifest,
            config: { mediaType: MT.ociConfig, digest: configDigest, size: configBuf.length },
            layers: [layer],
          }),
        );
        const manifestDigest = await this.storeBuffer(manifestBuf, undo);
        const size = await this.snapshots.usage(diffId);
        const img: PendingImage = {
          id: configDigest,
          manifestDigest,
          configJson: configBuf.toString('utf8'),
          raw,
          diffIds: [diffId],
          layers: [layer],
          tags: new Set([tagged]),
        };
        this.commit([img], new Map([[img.id, size]]));
        await this.dropUnreferenced(undo);
        return { id: img.id, tags: [familiarName(tagged)] };
      } catch (e) {
        await this.rollback(undo);
        throw wrap(e, 'importing image');
      }
    });
  }

  /**
   * Commits an image whose layer blobs are stored and whose snapshots are unpacked (a build or
   * a container commit): writes config and OCI manifest, then the image row and tags in one
   * transaction, as import does. `raw.rootfs.diff_ids` must list the layers' diff ids.
   */
  commitBuilt(img: { raw: RawImageConfig; layers: LayerDescriptor[]; tags: string[] }): Promise<{ id: string; tags: string[] }> {
    return this.exclusive(async () => {
      const undo = new Undo();
      try {
        const tagsSet = new Set<string>();
        for (const t of img.tags) {
          const r = tagRef(t, 'tag');
          if (!r) throw invalid(`tag "${t}" must name a tag, not a digest`);
          tagsSet.add(r);
        }
        const diffIds = ((img.raw.rootfs?.diff_ids as string[] | undefined) ?? []).slice();
        if (diffIds.length !== img.layers.length) throw invalid(`image has ${img.layers.length} layers but ${diffIds.length} diff ids`);
        const chain = computeChainIds(diffIds);
        let size = 0;
        for (const [i, l] of img.layers.entries()) {
          if (!this.content.has(l.digest)) throw notFound(`layer blob ${l.digest} not found`);
          if (!this.snapshots.has(chain[i]!)) throw notFound(`layer snapshot ${chain[i]} not found`);
          size += await this.snapshots.usage(chain[i]!);
        }
        const configBuf = Buffer.from(JSON.stringify(img.raw));
        const configDigest = await this.storeBuffer(configBuf, undo);
        const manifestBuf = Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MT.ociManifest,
            config: { mediaType: MT.ociConfig, digest: configDigest, size: configBuf.length },
            layers: img.layers,
          }),
        );
        const manifestDigest = await this.storeBuffer(manifestBuf, undo);
        const pending: PendingImage = {
          id: configDigest,
          manifestDigest,
          configJson: configBuf.toString('utf8'),
          raw: img.raw,
          diffIds,
          layers: img.layers,
          tags: tagsSet,
        };
        this.commit([pending], new Map([[pending.id, size]]));
        return { id: pending.id, tags: [...tagsSet].map((t) => familiarName(t)) };
      } catch (e) {
        await this.rollback(undo);
        throw wrap(e, 'committing image');
      }
    });
  }

  // ---------------------------------------------------------------- queries

  private rows(): ImageRow[] {
    return this.db.select().from(images).all();
  }

  private tagsByImage(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const t of this.db.select().from(tags).all()) {
      const list = out.get(t.imageId) ?? [];
      list.push(t.ref);
      out.set(t.imageId, list);
    }
    for (const l of out.values()) l.sort();
    return out;
  }

  private summary(row: ImageRow, refs: string[]): ImageSummary {
    return {
      id: row.id,
      repoTags: refs.map((r) => familiarName(r)),
      created: row.created,
      size: row.size,
      layers: (JSON.parse(row.chainIds) as string[]).length,
    };
  }

  list(): ImageSummary[] {
    const byImage = this.tagsByImage();
    return this.rows()
      .map((r) => this.summary(r, byImage.get(r.id) ?? []))
      .sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || a.id.localeCompare(b.id));
  }

  /**
   * Finds an image by full id (`sha256:<hex>` or `<hex>`), by reference (tag, or
   * `name@sha256:<manifest digest>`), or by an unambiguous id prefix of at least 12 hex digits.
   */
  private find(refOrId: string): { row: ImageRow; via: string | null } {
    if (typeof refOrId !== 'string' || refOrId.length === 0) throw invalid('empty image reference');
    const byId = (id: string) => this.db.select().from(images).where(eq(images.id, id)).get();
    const full = /^(?:sha256:)?([a-f0-9]{64})$/.exec(refOrId);
    if (full) {
      const row = byId(`sha256:${full[1]}`);
      if (!row) throw notFound(`no such image: ${refOrId}`);
      return { row, via: null };
    }
    let ref: Reference | null = null;
    try {
      ref = parseReference(refOrId);
    } catch {
      ref = null;
    }
    if (ref) {
      if (ref.digest) {
        const rows = this.db.select().from(images).where(eq(images.manifestDigest, ref.digest)).all();
        if (rows.length > 0) return { row: rows[0]!, via: null };
      } else {
        const t = this.db.select().from(tags).where(eq(tags.ref, formatReference(ref))).get();
        if (t) {
          const row = byId(t.imageId);
          if (row) return { row, via: t.ref };
        }
      }
    }
    const prefix = /^(?:sha256:)?([a-f0-9]{12,63})$/.exec(refOrId);
    if (prefix) {
      const rows = this.db
        .select()
        .from(images)
        .where(like(images.id, `sha256:${prefix[1]}%`))
        .all();
      if (rows.length > 1) throw invalid(`image id prefix ${refOrId} is ambiguous: it matches ${rows.length} images`);
      if (rows.length === 1) return { row: rows[0]!, via: null };
    }
    throw notFound(`no such image: ${refOrId}`);
  }

  inspect(refOrId: string): ImageInspect {
    const { row } = this.find(refOrId);
    const refs = this.tagsByImage().get(row.id) ?? [];
    const raw = JSON.parse(row.config) as RawImageConfig;
    const diffIds = ((raw.rootfs?.diff_ids as string[] | undefined) ?? []).slice();
    const repoDigests = [...new Set(refs.map((r) => `${familiarRepository(parseReference(r))}@${row.manifestDigest}`))];
    return {
      ...this.summary(row, refs),
      repoDigests,
      architecture: typeof raw.architecture === 'string' ? raw.architecture : '',
      os: typeof raw.os === 'string' ? raw.os : '',
      config: toImageConfig(raw),
      rootfs: { type: 'layers', diffIds },
      manifestDigest: row.manifestDigest,
    };
  }

  /** What a container needs from its image. */
  resolve(refOrId: string): ResolvedImage {
    const { row, via } = this.find(refOrId);
    const refs = this.tagsByImage().get(row.id) ?? [];
    const name = via ? familiarName(via) : refs[0] ? familiarName(refs[0]) : row.id.slice(7, 19);
    return {
      id: row.id,
      config: toImageConfig(JSON.parse(row.config) as RawImageConfig),
      chainIds: JSON.parse(row.chainIds) as string[],
      name,
    };
  }

  /** Snapshot dirs for the image's layers, top-most first (overlay lowerdir order). */
  lowerDirs(refOrId: string): string[] {
    const { chainIds } = this.resolve(refOrId);
    return [...chainIds].reverse().map((c) => this.snapshots.dir(c));
  }

  // ---------------------------------------------------------------- remove, gc

  /**
   * Docker's rmi: a tag with other tags left is only untagged; otherwise the image is deleted
   * with the blobs and snapshots no other image uses. An image used by a container is refused
   * (conflict) unless forced; forced, it is only untagged so the container keeps its layers.
   */
  remove(refOrId: string, opts: { force?: boolean } = {}): Promise<RemoveResult> {
    return this.exclusive(async () => {
      const { row, via } = this.find(refOrId);
      const force = opts.force === true;
      const refs = this.tagsByImage().get(row.id) ?? [];
      const inUse = this.isImageInUse(row.id);
      const result: RemoveResult = { untagged: [], deleted: [] };

      if (via && refs.length > 1) {
        this.db.delete(tags).where(eq(tags.ref, via)).run();
        result.untagged.push(familiarName(via));
        return result;
      }
      if (!via && refs.length > 1 && !force) {
        throw conflict(
          `unable to delete image ${row.id.slice(7, 19)} (must be forced): it is referenced by ${refs.length} tags`,
        );
      }
      if (inUse && !force) {
        throw conflict(`unable to remove image ${refOrId}: it is being used by a container`);
      }
      if (inUse) {
        // Forced while in use: untag only, the container keeps its lower layers.
        this.db.delete(tags).where(eq(tags.imageId, row.id)).run();
        result.untagged.push(...refs.map((r) => familiarName(r)));
        return result;
      }

      this.db.transaction((tx) => {
        tx.delete(tags).where(eq(tags.imageId, row.id)).run();
        tx.delete(images).where(eq(images.id, row.id)).run();
      });
      result.untagged.push(...refs.map((r) => familiarName(r)));
      result.deleted.push(row.id);

      // Disk after DB: a crash here leaves only unreferenced content for gc.
      const { blobs, snapshots } = this.referenced();
      for (const d of blobsOf(row)) if (!blobs.has(d)) await this.content.delete(d);
      for (const c of [...(JSON.parse(row.chainIds) as string[])].reverse()) {
        if (!snapshots.has(c)) await this.snapshots.remove(c);
      }
      return result;
    });
  }

  private referenced(): { blobs: Set<string>; snapshots: Set<string> } {
    const blobs = new Set<string>();
    const snapshots = new Set<string>();
    for (const r of this.rows()) {
      for (const d of blobsOf(r)) blobs.add(d);
      for (const c of JSON.parse(r.chainIds) as string[]) snapshots.add(c);
    }
    return { blobs, snapshots };
  }

  /**
   * Removes blobs and snapshots no image references, and stale ingest/temp files. Anything
   * younger than `minAgeMs` is spared, so content another writer (a pull) is still assembling
   * survives; at agent start, with nothing in flight, pass 0.
   */
  gc(opts: { minAgeMs?: number } = {}): Promise<GcResult> {
    const minAge = opts.minAgeMs ?? 15 * 60 * 1000;
    return this.exclusive(async () => {
      const now = Date.now();
      const { blobs, snapshots } = this.referenced();
      const result: GcResult = { blobs: [], snapshots: [], temp: 0 };
      for (const d of this.content.list()) {
        if (blobs.has(d)) continue;
        if (now - this.content.mtimeMs(d) < minAge) continue;
        await this.content.delete(d);
        result.blobs.push(d);
      }
      for (const c of this.snapshots.list()) {
        if (snapshots.has(c)) continue;
        const st = await fsp.stat(path.dirname(this.snapshots.dir(c))).catch(() => null);
        if (st && now - st.mtimeMs < minAge) continue;
        await this.snapshots.remove(c);
        result.snapshots.push(c);
      }
      result.temp += await this.snapshots.cleanTemp(minAge);
      result.temp += await this.content.cleanIngest(minAge);
      for (const name of await fsp.readdir(this.tmpDir)) {
        if (!name.startsWith('load-')) continue;
        const p = path.join(this.tmpDir, name);
        const st = await fsp.lstat(p).catch(() => null);
        if (!st || now - st.mtimeMs < minAge) continue;
        await fsp.rm(p, { recursive: true, force: true });
        result.temp++;
      }
      return result;
    });
  }

  // ---------------------------------------------------------------- pull, push, save, tag, history
  // (registry pulls and pushes and archive saves live in pull.ts, push.ts and save.ts; these are
  // the store operations they need.)

  /** The content store: pull writes blobs into it, push and save read them. */
  get contentStore(): ContentStore {
    return this.content;
  }

  /** Whether any image row names the blob (pull's cleanup spares those). */
  isReferenced(digest: string): boolean {
    return this.referenced().blobs.has(digest);
  }

  /** The platform picked from indexes when none is asked for. */
  get defaultPlatform(): Platform {
    return this.platform;
  }

  /**
   * Unpacks and commits an image whose blobs a pull has already stored and verified. The diff
   * ids are checked while unpacking; snapshots created here are removed on failure, the blobs
   * are the caller's to drop.
   */
  addPulled(img: PulledImage): Promise<void> {
    return this.exclusive(async () => {
      const undo = new Undo();
      const tag = img.tag ? tagRef(img.tag, 'pull reference') : null;
      const pending: PendingImage = { ...img, tags: new Set(tag ? [tag] : []) };
      try {
        const size = await this.unpackImage(pending, undo);
        this.commit([pending], new Map([[pending.id, size]]));
      } catch (e) {
        await this.rollback(undo);
        throw e;
      }
    });
  }

  /** What push and save need to know about a stored image. */
  record(refOrId: string): ImageRecord {
    const { row, via } = this.find(refOrId);
    const refs = this.tagsByImage().get(row.id) ?? [];
    const raw = JSON.parse(row.config) as RawImageConfig;
    return {
      id: row.id,
      manifestDigest: row.manifestDigest,
      configJson: row.config,
      layers: JSON.parse(row.layers) as LayerDescriptor[],
      diffIds: ((raw.rootfs?.diff_ids as string[] | undefined) ?? []).slice(),
      chainIds: JSON.parse(row.chainIds) as string[],
      refs,
      via,
    };
  }

  /** Docker's tag: `target` (a repo:tag) now names the image `source` names. */
  tag(source: string, target: string): Promise<{ id: string; tag: string }> {
    return this.exclusive(async () => {
      const { row } = this.find(source);
      const t = tagRef(target, 'target reference');
      if (!t) throw invalid(`target reference "${target}" must name a tag, not a digest`);
      this.db
        .insert(tags)
        .values({ ref: t, imageId: row.id })
        .onConflictDoUpdate({ target: tags.ref, set: { imageId: row.id } })
        .run();
      return { id: row.id, tag: familiarName(t) };
    });
  }

  /** Docker's history: the config's history entries, newest first, with layer sizes. */
  async history(refOrId: string): Promise<HistoryEntry[]> {
    const rec = this.record(refOrId);
    const raw = JSON.parse(rec.configJson) as RawImageConfig;
    const hist = Array.isArray(raw.history) ? (raw.history as Record<string, unknown>[]) : [];
    const out: HistoryEntry[] = [];
    let li = 0;
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    for (const h of hist) {
      const empty = h.empty_layer === true;
      let size = 0;
      let id = '<missing>';
      if (!empty && li < rec.chainIds.length) {
        const chain = rec.chainIds[li]!;
        size = await this.snapshots.usage(chain).catch(() => 0);
        id = rec.layers[li]?.digest ?? '<missing>';
        li++;
      }
      out.push({ id, created: str(h.created) || null, createdBy: str(h.created_by), size, comment: str(h.comment), emptyLayer: empty });
    }
    // layers the history does not describe (images built without history)
    for (; li < rec.chainIds.length; li++) {
      out.push({ id: rec.layers[li]?.digest ?? '<missing>', created: null, createdBy: '', size: await this.snapshots.usage(rec.chainIds[li]!).catch(() => 0), comment: '', emptyLayer: false });
    }
    if (out.length > 0 && out[out.length - 1]!.id === '<missing>') out[out.length - 1]!.id = rec.id;
    return out.reverse();
  }

  /** The image's layers, bottom first, with which other images share each one. */
  async layerInfo(refOrId: string): Promise<ImageLayer[]> {
    const rec = this.record(refOrId);
    const names = this.tagsByImage();
    const others = this.rows().filter((r) => r.id !== rec.id);
    const out: ImageLayer[] = [];
    for (const [i, l] of rec.layers.entries()) {
      const chainId = rec.chainIds[i]!;
      const sharedWith = others
        .filter((r) => (JSON.parse(r.chainIds) as string[]).includes(chainId))
        .map((r) => (names.get(r.id)?.[0] ? familiarName(names.get(r.id)![0]!) : r.id.slice(7, 19)));
      out.push({
        digest: l.digest,
        diffId: rec.diffIds[i] ?? '',
        chainId,
        mediaType: l.mediaType,
        size: l.size,
        unpackedSize: await this.snapshots.usage(chainId).catch(() => 0),
        sharedWith,
      });
    }
    return out;
  }

  /**
   * Docker's image prune: images without tags (dangling); with `all`, every image no container
   * uses. Layers no remaining image uses go with them.
   */
  async prune(opts: { all?: boolean } = {}): Promise<PruneResult> {
    const byImage = this.tagsByImage();
    const result: PruneResult = { deleted: [], untagged: [], reclaimed: 0 };
    for (const row of this.rows()) {
      const tagged = (byImage.get(row.id) ?? []).length > 0;
      if (tagged && !opts.all) continue;
      if (this.isImageInUse(row.id)) continue;
      try {
        const r = await this.remove(row.id, { force: true });
        result.untagged.push(...r.untagged);
        result.deleted.push(...r.deleted);
        if (r.deleted.length) result.reclaimed += row.size;
      } catch {
        // raced with a container start or another removal: skip it
      }
    }
    return result;
  }

}

export interface PulledImage {
  id: string;
  manifestDigest: string;
  configJson: string;
  raw: RawImageConfig;
  diffIds: string[];
  layers: LayerDescriptor[];
  /** the reference to tag it with (absent when pulled by digest) */
  tag?: string;
}

export interface ImageRecord {
  id: string;
  manifestDigest: string;
  configJson: string;
  layers: LayerDescriptor[];
  diffIds: string[];
  chainIds: string[];
  /** normalised refs tagging the image */
  refs: string[];
  /** the normalised tag it was found by, if any */
  via: string | null;
}

interface DockerSaveEntry {
  config: string;
  layers: string[];
  refs: string[];
}

function blobsOf(row: ImageRow): string[] {
  const layers = JSON.parse(row.layers) as LayerDescriptor[];
  return [row.manifestDigest, row.id, ...layers.map((l) => l.digest)];
}

function parseJson(buf: Buffer, what: string): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw invalid(`${what} is not valid JSON`);
  }
}

function sniffMediaType(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const o = body as Record<string, unknown>;
  if (typeof o.mediaType === 'string') return o.mediaType;
  if (Array.isArray(o.manifests)) return MT.ociIndex;
  if (Array.isArray(o.layers)) return MT.ociManifest;
  return undefined;
}

function hexFromPath(p: string): string | null {
  return /^(?:blobs\/sha256\/)?([a-f0-9]{64})(?:\.json)?$/.exec(p)?.[1] ?? null;
}

/** A normalised `repo:tag` for tagging; null for digest-only refs. Throws on invalid refs. */
function tagRef(input: string, what: string): string | null {
  let r: Reference;
  try {
    r = parseReference(input);
  } catch (e) {
    throw wrap(e, what);
  }
  if (r.tag === undefined) return null;
  return formatReference({ domain: r.domain, path: r.path, tag: r.tag });
}

/**
 * Names from index annotations. `io.containerd.image.name` is a full reference;
 * `org.opencontainers.image.ref.name` is one when it has a `:` or `/` (else it is a bare tag,
 * which names no repository, and the image stays untagged).
 */
function namesFromAnnotations(ann: Record<string, string> | undefined): string[] {
  if (!ann) return [];
  const out = new Set<string>();
  const full = ann[CONTAINERD_NAME_ANNOTATION];
  if (full) {
    const t = tagRef(full, `annotation ${CONTAINERD_NAME_ANNOTATION}`);
    if (t) out.add(t);
  }
  const refName = ann[REF_NAME_ANNOTATION];
  if (refName && (refName.includes(':') || refName.includes('/')) && out.size === 0) {
    const t = tagRef(refName, `annotation ${REF_NAME_ANNOTATION}`);
    if (t) out.add(t);
  }
  return [...out];
}

