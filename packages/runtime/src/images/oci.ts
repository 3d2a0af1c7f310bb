// OCI / Docker image JSON: media types, descriptor validation, chain ids, and the mapping from
// an image config blob to our ImageConfig. Everything read here comes from an untrusted image,
// so every field is checked for type before use.
import { createHash } from 'node:crypto';
import type { ImageConfig } from '@berth/shared';
import { invalid } from '../errors';
import { DIGEST_RE } from '../content/store';

export const MT = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export const INDEX_TYPES = new Set<string>([MT.ociIndex, MT.dockerList]);
export const MANIFEST_TYPES = new Set<string>([MT.ociManifest, MT.dockerManifest]);
const LAYER_TYPES = new Set<string>([
  MT.ociLayer,
  MT.ociLayerGzip,
  MT.ociLayerZstd,
  MT.dockerLayer,
  MT.dockerForeignLayer,
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
export const CONTAINERD_NAME_ANNOTATION = 'io.containerd.image.name';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface LayerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface Manifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: LayerDescriptor[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringRecord(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Checks a descriptor from untrusted JSON; `what` names it in errors. */
export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isObject(v)) throw invalid(`${what} is not a descriptor object`);
  const digest = v.digest;
  if (typeof digest !== 'string' || !DIGEST_RE.test(digest)) {
    throw invalid(`${what} has an invalid or unsupported digest "${String(digest).slice(0, 100)}"`);
  }
  const size = v.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw invalid(`${what} ${digest} has an invalid size`);
  }
  const d: Descriptor = { digest, size };
  if (typeof v.mediaType === 'string') d.mediaType = v.mediaType;
  const ann = stringRecord(v.annotations);
  if (ann) d.annotations = ann;
  if (isObject(v.platform) && typeof v.platform.os === 'string' && typeof v.platform.architecture === 'string') {
    d.platform = { os: v.platform.os, architecture: v.platform.architecture };
    if (typeof v.platform.variant === 'string') d.platform.variant = v.platform.variant;
  }
  return d;
}

export function parseIndex(v: unknown, what: string): Descriptor[] {
  if (!isObject(v) || !Array.isArray(v.manifests)) throw invalid(`${what} is not an image index (no manifests list)`);
  return v.manifests.map((m, i) => parseDescriptor(m, `${what} manifest ${i}`));
}

export function parseManifest(v: unknown, what: string): Manifest {
  if (!isObject(v)) throw invalid(`${what} is not a JSON object`);
  if (v.schemaVersion !== 2) throw invalid(`${what} has unsupported schemaVersion ${String(v.schemaVersion)}`);
  if (typeof v.mediaType === 'string' && !MANIFEST_TYPES.has(v.mediaType)) {
    throw invalid(`${what} has unsupported media type ${v.mediaType}`);
  }
  if (!Array.isArray(v.layers)) throw invalid(`${what} has no layers list`);
  const config = parseDescriptor(v.config, `${what} config`);
  const layers = v.layers.map((l, i) => {
    const d = parseDescriptor(l, `${what} layer ${i}`);
    const mediaType = d.mediaType ?? MT.ociLayerGzip;
    if (!LAYER_TYPES.has(mediaType)) throw invalid(`${what} layer ${d.digest} has unsupported media type ${mediaType}`);
    return { mediaType, digest: d.digest, size: d.size };
  });
  return { schemaVersion: 2, mediaType: typeof v.mediaType === 'string' ? v.mediaType : undefined, config, layers };
}

export interface RawImageConfig {
  created?: string;
  architecture?: string;
  os?: string;
  config?: Record<string, unknown>;
  rootfs?: { type?: string; diff_ids?: unknown };
  [k: string]: unknown;
}

/** Checks the parts of an image config we depend on and returns its diff ids. */
export function parseConfig(v: unknown, what: string): { raw: RawImageConfig; diffIds: string[] } {
  if (!isObject(v)) throw invalid(`${what} is not a JSON object`);
  const rootfs = v.rootfs;
  if (!isObject(rootfs) || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) {
    throw invalid(`${what} has no rootfs.diff_ids`);
  }
  const diffIds = rootfs.diff_ids.map((d, i) => {
    if (typeof d !== 'string' || !DIGEST_RE.test(d)) throw invalid(`${what} diff_id ${i} is not a sha256 digest`);
    return d;
  });
  if (v.config !== undefined && v.config !== null && !isObject(v.config)) throw invalid(`${what} config is not an object`);
  return { raw: v as RawImageConfig, diffIds };
}

/** containerd/Docker chain ids: chain[0] = diff[0], chain[i] = sha256(chain[i-1] + " " + diff[i]). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? d : `sha256:${createHash('sha256').update(`${prev} ${d}`).digest('hex')}`);
  }
  return out;
}

function stringArray(v: unknown): string[] | null {
  if (!Array.isArray(v)) return null;
  return v.filter((x): x is string => typeof x === 'string');
}

/** Maps the `config` part of an image config blob to our ImageConfig (defaults applied). */
export function toImageConfig(raw: RawImageConfig): ImageConfig {
  const c = isObject(raw.config) ? raw.config : {};
  const out: ImageConfig = {
    env: stringArray(c.Env) ?? [],
    entrypoint: stringArray(c.Entrypoint),
    cmd: stringArray(c.Cmd),
    labels: stringRecord(c.Labels) ?? {},
    exposedPorts: isObject(c.ExposedPorts) ? Object.keys(c.ExposedPorts) : [],
    volumes: isObject(c.Volumes) ? Object.keys(c.Volumes) : [],
  };
  if (typeof c.User === 'string' && c.User !== '') out.user = c.User;
  if (typeof c.WorkingDir === 'string' && c.WorkingDir !== '') out.workingDir = c.WorkingDir;
  if (typeof c.StopSignal === 'string' && c.StopSignal !== '') out.stopSignal = c.StopSignal;
  const hc = healthcheckOf(c.Healthcheck);
  if (hc) out.healthcheck = hc;
  return out;
}

export function platformMatches(p: Platform | undefined, want: Platform): boolean {
  if (!p) return true;
  return p.os === want.os && p.architecture === want.architecture;
}

/** Docker's Healthcheck {Test, Interval, Timeout, StartPeriod, Retries} (nanoseconds; 0 = inherit) in ms. */
export function healthcheckOf(v: unknown): ImageConfig['healthcheck'] {
  if (!isObject(v)) return undefined;
  const out: NonNullable<ImageConfig['healthcheck']> = {};
  const test = stringArray(v.Test);
  if (test && test.length) out.test = test;
  const ms = (x: unknown) => (typeof x === 'number' && x > 0 ? Math.max(1, Math.round(x / 1e6)) : undefined);
  const interval = ms(v.Interval);
  const timeout = ms(v.Timeout);
  const startPeriod = ms(v.StartPeriod);
  if (interval) out.intervalMs = interval;
  if (timeout) out.timeoutMs = timeout;
  if (startPeriod) out.startPeriodMs = startPeriod;
  if (typeof v.Retries === 'number' && v.Retries > 0) out.retries = Math.floor(v.Retries);
  return Object.keys(out).length ? out : undefined;
}
