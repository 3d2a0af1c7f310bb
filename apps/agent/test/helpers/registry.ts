// A real distribution registry (Debian's docker-registry) on 127.0.0.1 for one test file: its
// own temp storage, a free port, optional htpasswd (bcrypt) auth; stopped and removed by the
// test. Plus skopeo as an independent client and a builder for OCI layouts made in code
// (multi-layer and multi-arch images).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { freePort } from './free-port';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export function requireTools() {
  for (const t of [REGISTRY_BIN, '/usr/bin/skopeo']) {
    if (!fs.existsSync(t)) throw new Error(`this test needs ${t} (apt-get install docker-registry skopeo; scripts/setup.sh installs them)`);
  }
}

export class TestRegistry {
  proc!: ChildProcess;
  port = 0;
  readonly dir: string;
  private log = '';

  constructor(readonly auth?: { user: string; pass: string }) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-registry-'));
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get storage(): string {
    return path.join(this.dir, 'data');
  }

  async start(): Promise<void> {
    this.port = await freePort();
    let authYaml = '';
    if (this.auth) {
      const line = execFileSync('htpasswd', ['-Bbn', this.auth.user, this.auth.pass], { encoding: 'utf8' }).trim();
      fs.writeFileSync(path.join(this.dir, 'htpasswd'), line + '\n');
      authYaml = `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${path.join(this.dir, 'htpasswd')}\n`;
    }
    const cfg = `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${this.storage}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${this.port}
${authYaml}`;
    fs.writeFileSync(path.join(this.dir, 'config.yml'), cfg);
    this.proc = spawn(REGISTRY_BIN, ['serve', path.join(this.dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d: Buffer) => (this.log = (this.log + d).slice(-4000)));
    this.proc.stderr!.on('data', (d: Buffer) => (this.log = (this.log + d).slice(-4000)));
    const end = Date.now() + 15_000;
    for (;;) {
      try {
        const r = await fetch(`http://${this.host}/v2/`);
        if (r.status === 200 || r.status === 401) return;
      } catch {
        /* not yet */
      }
      if (this.proc.exitCode !== null || Date.now() > end) throw new Error(`registry did not start:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** The registry's own file for a blob (to corrupt it underneath the registry). */
  blobFile(digest: string): string {
    const hex = digest.slice(7);
    return path.join(this.storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  }

  skopeoCreds(): string[] {
    return this.auth ? ['--dest-creds', `${this.auth.user}:${this.auth.pass}`] : [];
  }
}

/** skopeo, failing with its output. */
export function skopeo(args: string[]): string {
  const r = spawnSync('skopeo', args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`skopeo ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Copies an image into the registry with skopeo (plain http). */
export function skopeoPush(src: string, reg: TestRegistry, repoTag: string, extra: string[] = []): void {
  skopeo(['copy', '--quiet', '--dest-tls-verify=false', ...reg.skopeoCreds(), ...extra, src, `docker://${reg.host}/${repoTag}`]);
}

export const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export async function tarOf(files: { name: string; data: Buffer | string; mode?: number }[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const f of files) {
    const data = Buffer.from(f.data);
    pack.entry({ name: f.name, size: data.length, mode: f.mode ?? 0o644, mtime: new Date(0) }, data);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export type LayerSpec = { files: { name: string; data: Buffer | string; mode?: number }[] } | { gz: Buffer };

/** The (single) gzip layer of a bundled OCI layout, to build runnable test images on. */
export function baseLayer(layoutDir: string): Buffer {
  const idx = JSON.parse(fs.readFileSync(path.join(layoutDir, 'index.json'), 'utf8'));
  const m = JSON.parse(fs.readFileSync(path.join(layoutDir, 'blobs/sha256', idx.manifests[0].digest.slice(7)), 'utf8'));
  return fs.readFileSync(path.join(layoutDir, 'blobs/sha256', m.layers[0].digest.slice(7)));
}

/** The config digest (image id) of the first image in an OCI layout dir. */
export function layoutImageId(layoutDir: string): string {
  const idx = JSON.parse(fs.readFileSync(path.join(layoutDir, 'index.json'), 'utf8'));
  let d = idx.manifests[0];
  let m = JSON.parse(fs.readFileSync(path.join(layoutDir, 'blobs/sha256', d.digest.slice(7)), 'utf8'));
  if (Array.isArray(m.manifests)) {
    d = m.manifests[0];
    m = JSON.parse(fs.readFileSync(path.join(layoutDir, 'blobs/sha256', d.digest.slice(7)), 'utf8'));
  }
  return m.config.digest;
}

export interface BuiltImage {
  configDigest: string;
  manifestDigest: string;
  manifest: Buffer;
  layers: { digest: string; size: number }[];
}

/**
 * Writes an image (config + gzip layers) into an OCI layout dir and returns its digests. Layers
 * are tars of the given files; `random` bytes make a layer big and incompressible.
 */
export async function writeImage(
  layout: string,
  opts: { arch?: string; os?: string; layers: LayerSpec[]; cmd?: string[] },
): Promise<BuiltImage> {
  fs.mkdirSync(path.join(layout, 'blobs/sha256'), { recursive: true });
  fs.writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const put = (b: Buffer) => {
    const d = sha(b);
    fs.writeFileSync(path.join(layout, 'blobs/sha256', d.slice(7)), b);
    return d;
  };
  const layers: { mediaType: string; digest: string; size: number }[] = [];
  const diffIds: string[] = [];
  for (const l of opts.layers) {
    let gz: Buffer;
    if ('gz' in l) {
      gz = l.gz;
      diffIds.push(sha(zlib.gunzipSync(gz)));
    } else {
      const plain = await tarOf(l.files);
      diffIds.push(sha(plain));
      gz = zlib.gzipSync(plain, { level: 1 });
    }
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: put(gz), size: gz.length });
  }
  const config = Buffer.from(
    JSON.stringify({
      created: '2024-01-01T00:00:00Z',
      architecture: opts.arch ?? 'amd64',
      os: opts.os ?? 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: opts.cmd ?? ['sh'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: opts.layers.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `test layer ${i}` })),
    }),
  );
  const configDigest = put(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers,
    }),
  );
  const manifestDigest = put(manifest);
  return { configDigest, manifestDigest, manifest, layers: layers.map((l) => ({ digest: l.digest, size: l.size })) };
}

/** index.json naming one manifest or an image index over several (written as a blob). */
export function writeIndex(layout: string, entries: { img: BuiltImage; platform?: { os: string; architecture: string } }[], tag = 'latest'): string | null {
  if (entries.length === 1 && !entries[0]!.platform) {
    const e = entries[0]!.img;
    fs.writeFileSync(
      path.join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: e.manifestDigest, size: e.manifest.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
      }),
    );
    return null;
  }
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: entries.map((e) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: e.img.manifestDigest, size: e.img.manifest.length, platform: e.platform })),
    }),
  );
  const d = sha(index);
  fs.writeFileSync(path.join(layout, 'blobs/sha256', d.slice(7)), index);
  fs.writeFileSync(
    path.join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: d, size: index.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
  return d;
}

export function randomData(n: number): Buffer {
  return randomBytes(n);
}
