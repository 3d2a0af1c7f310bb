// Pull: reference → manifest (an index is narrowed to one platform) → config → layers, fetched
// in parallel into the content store (verified, resumable, skipped when present) → the image
// service unpacks them (checking diff ids) and commits the image and its tag in one
// transaction. Nothing is listed until that commit. A verification failure removes every
// blob this pull stored; an interruption (cancel, network) keeps them, so the next pull resumes.
import fsp from 'node:fs/promises';
import type { ImageProgress, RegistryAuth } from '@berth/shared';
import { BerthError, invalid, notFound, wrap } from '../errors';
import { sha256Digest } from '../content/store';
import { RepositoryClient } from '../registry/client';
import type { FetchFn } from '../registry/bearer';
import { downloadBlob, partialPath } from '../registry/blob-download';
import type { ImageService } from './image-store';
import { INDEX_TYPES, MANIFEST_TYPES, MT, parseConfig, parseIndex, parseManifest, type Descriptor, type Platform } from './oci';
import { formatPlatform, platformSatisfies } from './platform';
import { formatReference, parseReference } from './reference';

export interface PullOptions {
  ref: string;
  /** asked for explicitly (--platform); otherwise the service's default platform */
  platform?: Platform;
  auth?: RegistryAuth;
  insecure?: readonly string[];
  signal?: AbortSignal;
  onProgress?: (e: ImageProgress) => void;
  /** parallel layer downloads */
  concurrency?: number;
  fetchFn?: FetchFn;
}

export interface PullResult {
  id: string;
  ref: string;
  manifestDigest: string;
}

const JSON_LIMIT = 8 << 20;

function sniffType(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const o = body as Record<string, unknown>;
  if (typeof o.mediaType === 'string') return o.mediaType;
  if (Array.isArray(o.manifests)) return MT.ociIndex;
  if (Array.isArray(o.layers)) return MT.ociManifest;
  return undefined;
}

function parseJson(buf: Buffer, what: string): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw invalid(`${what} is not valid JSON`);
  }
}

export async function pullImage(images: ImageService, opts: PullOptions): Promise<PullResult> {
  const ref = parseReference(opts.ref);
  const name = formatReference(ref);
  const content = images.contentStore;
  const want = opts.platform ?? images.defaultPlatform;
  const emit = opts.onProgress ?? (() => {});
  const created = new Set<string>();
  let layerDigests: string[] = [];
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const signal = ctl.signal;
  const repo = RepositoryClient.forRef(ref, { auth: opts.auth, insecure: opts.insecure, fetchFn: opts.fetchFn });
  try {
    emit({ type: 'status', message: `Pulling from ${ref.domain}/${ref.path}` });
    let m = await repo.manifest(ref.digest ?? ref.tag!, signal);
    let body = parseJson(m.body, `manifest ${name}`);
    let mediaType = m.mediaType ?? sniffType(body);
    if (mediaType && INDEX_TYPES.has(mediaType)) {
      const entries = parseIndex(body, `image index ${name}`);
      const pick = selectPlatform(entries, want);
      if (!pick) {
        const avail = entries.filter((e) => e.platform && e.platform.os !== 'unknown').map((e) => formatPlatform(e.platform!));
        throw notFound(`no matching manifest for ${formatPlatform(want)} in the manifest list of ${name} (available: ${avail.join(', ') || 'none'})`);
      }
      m = await repo.manifest(pick.digest, signal);
      if (pick.size && m.body.length !== pick.size) throw invalid(`manifest ${pick.digest} size mismatch: expected ${pick.size} bytes, got ${m.body.length}`);
      body = parseJson(m.body, `manifest ${pick.digest}`);
      mediaType = m.mediaType ?? pick.mediaType ?? sniffType(body);
    }
    if (!mediaType || !MANIFEST_TYPES.has(mediaType)) {
      throw invalid(`${name} is not an image: unsupported manifest type ${mediaType ?? 'unknown'}`);
    }
    const manifest = parseManifest(body, `manifest ${m.digest}`);
    layerDigests = manifest.layers.map((l) => l.digest);

    // config: small, verified in memory, then stored
    const cfgRes = await repo.blob(manifest.config.digest, 0, signal);
    const cfgBuf = Buffer.from(await cfgRes.arrayBuffer());
    if (cfgBuf.length > JSON_LIMIT) throw invalid(`config ${manifest.config.digest} is too large`);
    if (cfgBuf.length !== manifest.config.size) {
      throw invalid(`config ${manifest.config.digest} size mismatch: expected ${manifest.config.size} bytes, got ${cfgBuf.length}`);
    }
    if (sha256Digest(cfgBuf) !== manifest.config.digest) {
      throw invalid(`config ${manifest.config.digest} digest mismatch: the registry sent content with digest ${sha256Digest(cfgBuf)}`);
    }
    const { raw, diffIds } = parseConfig(parseJson(cfgBuf, `config ${manifest.config.digest}`), `config ${manifest.config.digest}`);
    if (diffIds.length !== manifest.layers.length) {
      throw invalid(`manifest ${m.digest} has ${manifest.layers.length} layers but its config lists ${diffIds.length} diff ids`);
    }
    if (opts.platform && typeof raw.os === 'string' && typeof raw.architecture === 'string') {
      const have: Platform = { os: raw.os, architecture: raw.architecture };
      if (typeof raw.variant === 'string') have.variant = raw.variant;
      if (!platformSatisfies(have, opts.platform)) {
        throw notFound(`image ${name} is for ${formatPlatform(have)}, not the requested ${formatPlatform(opts.platform)}`);
      }
    }
    emit({
      type: 'resolved',
      ref: name,
      manifestDigest: m.digest,
      platform: formatPlatform({ os: String(raw.os ?? want.os), architecture: String(raw.architecture ?? want.architecture), variant: typeof raw.variant === 'string' ? raw.variant : undefined }),
      layers: manifest.layers.map((l) => ({ digest: l.digest, size: l.size })),
    });
    const cfg = await content.ingest(cfgBuf, manifest.config);
    if (cfg.created) created.add(cfg.digest);

    // layers, in parallel
    const queue = [...new Set(manifest.layers.map((l) => l.digest))].map((d) => manifest.layers.find((l) => l.digest === d)!);
    for (const l of queue) emit({ type: 'layer', digest: l.digest, status: content.has(l.digest) ? 'exists' : 'waiting', current: content.has(l.digest) ? l.size : 0, total: l.size });
    const workers = Math.max(1, Math.min(opts.concurrency ?? 3, queue.length));
    let next = 0;
    let firstError: unknown = null;
    const worker = async () => {
      while (next < queue.length && !signal.aborted) {
        const l = queue[next++]!;
        if (content.has(l.digest)) continue;
        try {
          const r = await downloadBlob({
            content,
            repo,
            digest: l.digest,
            size: l.size,
            what: 'layer',
            signal,
            onProgress: (p) => emit({ type: 'layer', digest: l.digest, status: 'downloading', current: p.current, total: p.total, resumedFrom: p.resumedFrom || undefined }),
          });
          if (r.created) created.add(l.digest);
          emit({ type: 'layer', digest: l.digest, status: 'done', current: l.size, total: l.size, resumedFrom: r.resumedFrom || undefined });
        } catch (e) {
          emit({ type: 'layer', digest: l.digest, status: 'failed', current: 0, total: l.size });
          if (!firstError) firstError = e;
          ctl.abort(e);
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    if (firstError) throw firstError;
    if (opts.signal?.aborted) throw new BerthError('unavailable', `pull of ${name} was cancelled`);

    const man = await content.ingest(m.body);
    if (man.created) created.add(man.digest);
    emit({ type: 'status', message: 'Extracting and verifying layers' });
    await images.addPulled({
      id: manifest.config.digest,
      manifestDigest: m.digest,
      configJson: cfgBuf.toString('utf8'),
      raw,
      diffIds,
      layers: manifest.layers,
      tag: ref.tag !== undefined && ref.digest === undefined ? name : undefined,
    });
    emit({ type: 'status', message: `Digest: ${m.digest}` });
    emit({ type: 'done', id: manifest.config.digest, ref: name, manifestDigest: m.digest });
    return { id: manifest.config.digest, ref: name, manifestDigest: m.digest };
  } catch (e) {
    ctl.abort();
    const err = e instanceof BerthError ? e : signal.aborted && opts.signal?.aborted ? new BerthError('unavailable', `pull of ${name} was cancelled`) : e;
    // Bad content: leave nothing of it. An interruption keeps what was verified, for resume.
    if (err instanceof BerthError && err.code === 'invalid_argument') {
      for (const d of created) if (!images.isReferenced(d)) await content.delete(d).catch(() => {});
      for (const l of layerDigests) await fsp.rm(partialPath(content, l), { force: true }).catch(() => {});
    }
    throw wrap(err, `pulling ${name}`);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** The first entry for the wanted platform, as Docker picks it; attestations are skipped. */
export function selectPlatform(entries: Descriptor[], want: Platform): Descriptor | undefined {
  const images = entries.filter((e) => !e.mediaType || MANIFEST_TYPES.has(e.mediaType));
  const exact = images.find((e) => e.platform && platformSatisfies(e.platform, want) && (!want.variant || e.platform.variant === want.variant));
  return exact ?? images.find((e) => e.platform && platformSatisfies(e.platform, want));
}
