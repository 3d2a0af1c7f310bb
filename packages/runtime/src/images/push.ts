// Push: a local image's blobs (layers and config, skipped when the registry has them) and then
// its manifest, byte for byte as stored, so the digest — and on pull-back the image id — stay
// the same. Progress per layer, like pull.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import type { ImageProgress, RegistryAuth } from '@berth/shared';
import { invalid, wrap } from '../errors';
import { RepositoryClient } from '../registry/client';
import type { FetchFn } from '../registry/bearer';
import type { ImageService } from './image-store';
import { MT } from './oci';
import { formatReference, parseReference } from './reference';

export interface PushOptions {
  ref: string;
  auth?: RegistryAuth;
  insecure?: readonly string[];
  signal?: AbortSignal;
  onProgress?: (e: ImageProgress) => void;
  fetchFn?: FetchFn;
}

export async function pushImage(images: ImageService, opts: PushOptions): Promise<{ ref: string; manifestDigest: string; id: string }> {
  const ref = parseReference(opts.ref);
  const name = formatReference(ref);
  if (ref.tag === undefined) return Promise.reject(invalid(`push needs a tag: ${opts.ref}`));
  const rec = images.record(name);
  const content = images.contentStore;
  const emit = opts.onProgress ?? (() => {});
  const repo = RepositoryClient.forRef(ref, { auth: opts.auth, insecure: opts.insecure, push: true, fetchFn: opts.fetchFn });
  try {
    emit({ type: 'status', message: `The push refers to repository [${ref.domain}/${ref.path}]` });
    await repo.transport.ping(opts.signal);
    const manifestBuf = await fsp.readFile(content.path(rec.manifestDigest));
    const body = JSON.parse(manifestBuf.toString('utf8')) as { mediaType?: string; config?: { mediaType?: string; size?: number } };
    const mediaType = typeof body.mediaType === 'string' ? body.mediaType : MT.ociManifest;
    emit({ type: 'resolved', ref: name, manifestDigest: rec.manifestDigest, platform: '', layers: rec.layers.map((l) => ({ digest: l.digest, size: l.size })) });
    const blobs = [...rec.layers.map((l) => ({ digest: l.digest, size: l.size })), { digest: rec.id, size: content.size(rec.id) }];
    for (const b of blobs) {
      if (await repo.hasBlob(b.digest, opts.signal)) {
        emit({ type: 'layer', digest: b.digest, status: 'exists', current: b.size, total: b.size });
        continue;
      }
      let current = 0;
      let last = 0;
      await repo.uploadBlob(
        b.digest,
        b.size,
        () => {
          const counter = new Transform({
            transform(chunk: Buffer, _e, cb) {
              current += chunk.length;
              if (Date.now() - last > 100) {
                last = Date.now();
                emit({ type: 'layer', digest: b.digest, status: 'uploading', current, total: b.size });
              }
              cb(null, chunk);
            },
          });
          return Readable.toWeb(fs.createReadStream(content.path(b.digest)).pipe(counter)) as unknown as BodyInit;
        },
        opts.signal,
      );
      emit({ type: 'layer', digest: b.digest, status: 'pushed', current: b.size, total: b.size });
    }
    const digest = await repo.putManifest(ref.tag, manifestBuf, mediaType, opts.signal);
    emit({ type: 'status', message: `${ref.tag}: digest: ${digest} size: ${manifestBuf.length}` });
    emit({ type: 'done', id: rec.id, ref: name, manifestDigest: digest });
    return { ref: name, manifestDigest: digest, id: rec.id };
  } catch (e) {
    throw wrap(e, `pushing ${name}`);
  }
}
