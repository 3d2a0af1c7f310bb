// Builds hostile images for the confinement tests: the bundled busybox (musl) plus one extra layer
// made from a staging dir, with a chosen image config (User, WorkingDir, Volumes, Cmd), written
// as an OCI layout dir that `berth load -i DIR` takes.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { imagesDir } from './test-agent';

export type StageEntry = { file: string | Buffer; mode?: number } | { symlink: string } | { dir: true; mode?: number };

export interface CraftedImage {
  ref: string;
  /** paths inside the image (no leading slash needed) */
  files: Record<string, StageEntry>;
  config?: { User?: string; WorkingDir?: string; Volumes?: Record<string, object>; Cmd?: string[]; Entrypoint?: string[] };
}

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** Writes the OCI layout into a new temp dir and returns it (the caller removes it). */
export function buildImage(img: CraftedImage): string {
  const base = path.join(imagesDir, 'busybox-musl');
  const index = JSON.parse(fs.readFileSync(path.join(base, 'index.json'), 'utf8'));
  const blob = (d: string) => path.join(base, 'blobs/sha256', d.replace(/^sha256:/, ''));
  const manifest = JSON.parse(fs.readFileSync(blob(index.manifests[0].digest), 'utf8'));
  const config = JSON.parse(fs.readFileSync(blob(manifest.config.digest), 'utf8'));

  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-crafted-'));
  const stage = path.join(out, 'stage');
  fs.mkdirSync(stage);
  for (const [p, e] of Object.entries(img.files)) {
    const dest = path.join(stage, p.replace(/^\/+/, ''));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if ('symlink' in e) fs.symlinkSync(e.symlink, dest);
    else if ('dir' in e) fs.mkdirSync(dest, { recursive: true, mode: e.mode ?? 0o755 });
    else {
      fs.writeFileSync(dest, e.file);
      fs.chmodSync(dest, e.mode ?? 0o644);
    }
  }
  const layerPath = path.join(out, 'layer.tar');
  const t = spawnSync('tar', ['-C', stage, '--numeric-owner', '--owner=0', '--group=0', '-cf', layerPath, '.'], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`tar: ${t.stderr}`);
  fs.rmSync(stage, { recursive: true, force: true });

  const blobs = path.join(out, 'blobs/sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const put = (b: Buffer) => {
    const d = sha(b);
    fs.writeFileSync(path.join(blobs, d), b);
    return { digest: `sha256:${d}`, size: b.length };
  };
  const layer = fs.readFileSync(layerPath);
  fs.rmSync(layerPath);
  const layerDesc = put(layer);
  for (const l of manifest.layers) fs.copyFileSync(blob(l.digest), path.join(blobs, l.digest.replace(/^sha256:/, '')));

  const newConfig = {
    ...config,
    config: { ...config.config, ...(img.config ?? {}) },
    rootfs: { type: 'layers', diff_ids: [...config.rootfs.diff_ids, layerDesc.digest] },
  };
  const configDesc = put(Buffer.from(JSON.stringify(newConfig)));
  const newManifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configDesc },
    layers: [...manifest.layers, { mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layerDesc }],
  };
  const manifestDesc = put(Buffer.from(JSON.stringify(newManifest)));
  fs.writeFileSync(path.join(out, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(
    path.join(out, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifestDesc,
          platform: { architecture: 'amd64', os: 'linux' },
          annotations: { 'org.opencontainers.image.ref.name': img.ref },
        },
      ],
    }),
  );
  return out;
}

/** Compiles a C file into a static binary (gcc -static); returns its path in a new temp dir. */
export function compileStatic(source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-probe-'));
  const out = path.join(dir, path.basename(source, '.c'));
  const r = spawnSync('gcc', ['-static', '-O1', '-o', out, source], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc -static ${source} failed: ${r.stderr}`);
  return out;
}
