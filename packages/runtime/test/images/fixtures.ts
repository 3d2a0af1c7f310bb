// Image fixtures built in code: tar layers, OCI layouts, docker-save archives, and a fake
// unpacker (pure JS, plain tar only) standing in for the native helper in unit tests.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';

export const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface TarFile {
  name: string;
  data?: string | Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
  mode?: number;
}

export async function tarBuffer(files: TarFile[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((res, rej) => {
    pack.on('end', () => res());
    pack.on('error', rej);
  });
  for (const f of files) {
    const type = f.type ?? 'file';
    if (type === 'file') {
      const data = Buffer.from(f.data ?? '');
      pack.entry({ name: f.name, size: data.length, mode: f.mode ?? 0o644, mtime: new Date(0) }, data);
    } else {
      pack.entry({ name: f.name, type, linkname: f.linkname, mode: f.mode ?? 0o755, mtime: new Date(0) });
    }
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface BuiltLayer {
  tar: Buffer;
  gz: Buffer;
  diffId: string;
  digest: string; // of gz
}

export async function layer(files: TarFile[]): Promise<BuiltLayer> {
  const t = await tarBuffer(files);
  const gz = zlib.gzipSync(t);
  return { tar: t, gz, diffId: sha(t), digest: sha(gz) };
}

export interface ImageSpec {
  name?: string; // annotation value
  layers: BuiltLayer[];
  cmd?: string[];
  created?: string;
  platform?: { os: string; architecture: string };
  /** Override diff ids in the config (to make them wrong). */
  diffIds?: string[];
}

export interface BuiltImage {
  configDigest: string;
  manifestDigest: string;
  manifestSize: number;
  config: Buffer;
  manifest: Buffer;
}

export function buildImage(spec: ImageSpec): { blobs: Map<string, Buffer>; image: BuiltImage } {
  const blobs = new Map<string, Buffer>();
  const config = Buffer.from(
    JSON.stringify({
      created: spec.created ?? '2024-01-01T00:00:00Z',
      architecture: spec.platform?.architecture ?? 'amd64',
      os: spec.platform?.os ?? 'linux',
      config: { Cmd: spec.cmd ?? ['sh'], Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: spec.diffIds ?? spec.layers.map((l) => l.diffId) },
    }),
  );
  blobs.set(sha(config), config);
  for (const l of spec.layers) blobs.set(l.digest, l.gz);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: spec.layers.map((l) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: l.digest,
        size: l.gz.length,
      })),
    }),
  );
  blobs.set(sha(manifest), manifest);
  return {
    blobs,
    image: {
      configDigest: sha(config),
      manifestDigest: sha(manifest),
      manifestSize: manifest.length,
      config,
      manifest,
    },
  };
}

/** Writes an OCI layout with one index entry per image. */
export async function writeOciLayout(dir: string, specs: ImageSpec[]): Promise<BuiltImage[]> {
  await fsp.mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const built: BuiltImage[] = [];
  const manifests: unknown[] = [];
  for (const spec of specs) {
    const { blobs, image } = buildImage(spec);
    for (const [d, b] of blobs) await fsp.writeFile(path.join(dir, 'blobs', 'sha256', d.slice(7)), b);
    built.push(image);
    manifests.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: image.manifestDigest,
      size: image.manifestSize,
      ...(spec.platform ? { platform: spec.platform } : {}),
      ...(spec.name ? { annotations: { 'org.opencontainers.image.ref.name': spec.name } } : {}),
    });
  }
  await fsp.writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await fsp.writeFile(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
  return built;
}

/** tar of a directory's contents (entries named ./x), via GNU tar. */
export function tarDir(dir: string): Buffer {
  return execFileSync('tar', ['-C', dir, '-cf', '-', '.'], { maxBuffer: 1 << 30 });
}

/**
 * A `docker save` archive (legacy layout: <id>/layer.tar, <config hex>.json, manifest.json,
 * repositories) made from an OCI layout directory's images. Layers are stored uncompressed.
 */
export async function dockerSaveFromOci(ociDir: string, repoTags: string[][]): Promise<Buffer> {
  const index = JSON.parse(fs.readFileSync(path.join(ociDir, 'index.json'), 'utf8'));
  const blob = (d: string) => fs.readFileSync(path.join(ociDir, 'blobs', 'sha256', d.slice(7)));
  const files: TarFile[] = [];
  const manifest: unknown[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  index.manifests.forEach((desc: { digest: string }, i: number) => {
    const m = JSON.parse(blob(desc.digest).toString());
    const cfgHex = m.config.digest.slice(7);
    files.push({ name: `${cfgHex}.json`, data: blob(m.config.digest) });
    const layerPaths: string[] = [];
    let parent = '';
    for (const l of m.layers) {
      const t = zlib.gunzipSync(blob(l.digest));
      const layerId = createHash('sha256').update(`${parent} ${sha(t)}`).digest('hex');
      parent = layerId;
      if (!files.some((f) => f.name === `${layerId}/`)) {
        files.push({ name: `${layerId}/`, type: 'directory' });
        files.push({ name: `${layerId}/VERSION`, data: '1.0' });
        files.push({ name: `${layerId}/layer.tar`, data: t });
      }
      layerPaths.push(`${layerId}/layer.tar`);
    }
    const tagsFor = repoTags[i] ?? [];
    manifest.push({ Config: `${cfgHex}.json`, RepoTags: tagsFor, Layers: layerPaths });
    for (const t of tagsFor) {
      const [repo, tag] = t.split(':') as [string, string];
      repositories[repo] = { ...(repositories[repo] ?? {}), [tag]: parent };
    }
  });
  files.push({ name: 'manifest.json', data: JSON.stringify(manifest) });
  files.push({ name: 'repositories', data: JSON.stringify(repositories) });
  return tarBuffer(files);
}

/** Stand-in for the helper's unpackLayer: plain tar only, files/dirs/symlinks, no escapes. */
export async function fakeUnpack(targetDir: string, input: NodeJS.ReadableStream): Promise<{ files: number; bytes: number }> {
  const extract = tar.extract();
  let files = 0;
  let bytes = 0;
  const feeding = new Promise<void>((res, rej) => {
    (input as NodeJS.ReadableStream & { on: Function }).on('error', rej);
    extract.on('error', rej);
    extract.on('finish', () => res());
    input.pipe(extract as unknown as NodeJS.WritableStream);
  });
  for await (const entry of extract) {
    const name = path.posix.normalize(entry.header.name);
    if (name.startsWith('..') || path.isAbsolute(name)) throw new Error(`unsafe path ${name}`);
    const dest = path.join(targetDir, name);
    if (entry.header.type === 'directory') {
      await fsp.mkdir(dest, { recursive: true });
      entry.resume();
    } else if (entry.header.type === 'file') {
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const data = Buffer.concat(chunks);
      await fsp.writeFile(dest, data);
      files++;
      bytes += data.length;
    } else if (entry.header.type === 'symlink') {
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      await fsp.symlink(entry.header.linkname!, dest);
      entry.resume();
    } else entry.resume();
  }
  await feeding;
  return { files, bytes };
}

export async function tempDir(prefix = 'berth-img-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Every path under `root` with its size (files) — to prove a failed operation changed nothing. */
export function listTree(root: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      const rel = path.relative(root, p);
      if (skip(rel)) continue;
      if (ent.isDirectory()) {
        out.push(`${rel}/`);
        walk(p);
      } else out.push(`${rel} ${fs.lstatSync(p).size}`);
    }
  };
  walk(root);
  return out.sort();
}
