// Save: images as a `docker save` archive (manifest.json, config and uncompressed layers named
// by digest under blobs/sha256/, as Docker 25+ lays them out) or as an OCI image layout in a tar
// (oci-layout, index.json, blobs as stored). Config blobs are written byte for byte, so the
// image id is the same in whichever tool loads the archive.
import fsp from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { invalid } from '../errors';
import type { ContentStore } from '../content/store';
import type { ImageRecord, ImageService } from './image-store';
import { decompressor, detectCompression, sniff } from './layer';
import { CONTAINERD_NAME_ANNOTATION, MT, REF_NAME_ANNOTATION } from './oci';
import { familiarName } from './reference';

export type SaveFormat = 'docker-archive' | 'oci-archive';

export interface PreparedSave {
  write(out: Writable): Promise<void>;
}

/** Resolves the images first (so a bad name fails before any byte is sent), then writes. */
export function prepareSave(images: ImageService, refs: string[], format: SaveFormat): PreparedSave {
  if (refs.length === 0) throw invalid('save needs at least one image');
  if (format !== 'docker-archive' && format !== 'oci-archive') throw invalid(`unknown save format "${String(format)}": want docker-archive or oci-archive`);
  const byId = new Map<string, { rec: ImageRecord; tags: Set<string> }>();
  for (const r of refs) {
    const rec = images.record(r);
    const e = byId.get(rec.id) ?? { rec, tags: new Set<string>() };
    if (rec.via) e.tags.add(rec.via);
    byId.set(rec.id, e);
  }
  const content = images.contentStore;
  const list = [...byId.values()];
  return {
    write: (out) => (format === 'docker-archive' ? writeDocker(content, list, out) : writeOci(content, list, out)),
  };
}

function entry(pack: tar.Pack, name: string, size: number, body: NodeJS.ReadableStream | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (Buffer.isBuffer(body)) {
      pack.entry({ name, size, mode: 0o644, mtime: new Date(0) }, body, (err) => (err ? reject(err) : resolve()));
      return;
    }
    const w = pack.entry({ name, size, mode: 0o644, mtime: new Date(0) }, (err) => (err ? reject(err) : resolve()));
    pipeline(body, w).catch(reject);
  });
}

function dir(pack: tar.Pack, name: string): void {
  pack.entry({ name, type: 'directory', mode: 0o755, mtime: new Date(0) });
}

/** A layer blob, decompressed; `size` is counted by a first pass when the blob is compressed. */
async function plainLayer(content: ContentStore, digest: string): Promise<{ size: number; open: () => Promise<NodeJS.ReadableStream> }> {
  const { head, stream } = await sniff(content.open(digest), 8);
  stream.destroy();
  const c = detectCompression(head);
  if (c === 'none') return { size: content.size(digest), open: async () => content.open(digest) };
  const open = async () => {
    const dec = decompressor(c)!;
    content.open(digest).pipe(dec);
    return dec;
  };
  let size = 0;
  for await (const chunk of await open()) size += (chunk as Buffer).length;
  return { size, open };
}

async function writeDocker(content: ContentStore, list: { rec: ImageRecord; tags: Set<string> }[], out: Writable): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, out);
  const written = new Set<string>();
  dir(pack, 'blobs/');
  dir(pack, 'blobs/sha256/');
  const manifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
  for (const { rec, tags } of list) {
    const cfgPath = `blobs/sha256/${rec.id.slice(7)}`;
    if (!written.has(cfgPath)) {
      const cfg = await fsp.readFile(content.path(rec.id));
      await entry(pack, cfgPath, cfg.length, cfg);
      written.add(cfgPath);
    }
    const layers: string[] = [];
    for (const [i, l] of rec.layers.entries()) {
      const diffId = rec.diffIds[i]!;
      const p = `blobs/sha256/${diffId.slice(7)}`;
      if (!written.has(p)) {
        const pl = await plainLayer(content, l.digest);
        await entry(pack, p, pl.size, await pl.open());
        written.add(p);
      }
      layers.push(p);
    }
    manifest.push({ Config: cfgPath, RepoTags: [...tags].map((t) => familiarName(t)), Layers: layers });
  }
  const mj = Buffer.from(JSON.stringify(manifest));
  await entry(pack, 'manifest.json', mj.length, mj);
  pack.finalize();
  await done;
}

async function writeOci(content: ContentStore, list: { rec: ImageRecord; tags: Set<string> }[], out: Writable): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, out);
  const written = new Set<string>();
  const layout = Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await entry(pack, 'oci-layout', layout.length, layout);
  dir(pack, 'blobs/');
  dir(pack, 'blobs/sha256/');
  const blob = async (digest: string) => {
    const p = `blobs/sha256/${digest.slice(7)}`;
    if (written.has(p)) return;
    await entry(pack, p, content.size(digest), content.open(digest));
    written.add(p);
  };
  const manifests: Record<string, unknown>[] = [];
  for (const { rec, tags } of list) {
    for (const l of rec.layers) await blob(l.digest);
    await blob(rec.id);
    await blob(rec.manifestDigest);
    const mbody = JSON.parse((await fsp.readFile(content.path(rec.manifestDigest))).toString('utf8')) as { mediaType?: string };
    const desc = {
      mediaType: typeof mbody.mediaType === 'string' ? mbody.mediaType : MT.ociManifest,
      digest: rec.manifestDigest,
      size: content.size(rec.manifestDigest),
    };
    if (tags.size === 0) manifests.push(desc);
    for (const t of tags) {
      manifests.push({ ...desc, annotations: { [CONTAINERD_NAME_ANNOTATION]: t, [REF_NAME_ANNOTATION]: t } });
    }
  }
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests }));
  await entry(pack, 'index.json', index.length, index);
  pack.finalize();
  await done;
}
