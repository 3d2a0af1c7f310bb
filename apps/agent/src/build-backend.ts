// `berth build` and `berth commit` over the runtime's image builder (packages/runtime/src/build).
// A FROM image that is not present is pulled here, with the agent's registry settings and
// credentials (insecure registries, root's docker config), its progress as build output lines.
import type { ImageProgress } from '@berth/shared';
import type { Runtime } from '@berth/runtime';
import type { BuildEvent, BuildNetwork, PullFn } from '@berth/runtime/build/builder';
import { pullImage } from '@berth/runtime/images/pull';
import { parseReference } from '@berth/runtime/images/reference';
import { readCredentials } from '@berth/runtime/registry/credentials';
import type { RegistryBackendOptions } from './image-registry-backend';

export interface BuildImageRequest {
  /** the context as a tar stream */
  context: NodeJS.ReadableStream;
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string>;
  noCache: boolean;
  target?: string;
  /** RUN's network (default bridge) */
  network?: BuildNetwork;
}

export interface BuildBackend {
  buildImage(req: BuildImageRequest, emit: (e: BuildEvent) => void): Promise<{ id: string; tags: string[] }>;
  commitContainer(idOrName: string, opts: { ref?: string; message?: string; author?: string; changes?: string[] }): Promise<{ id: string; tags: string[] }>;
}

/** One line per pull event worth printing (layer byte counts are left out of a build's log). */
export function pullProgressLine(p: ImageProgress): string | null {
  switch (p.type) {
    case 'status':
      return p.message;
    case 'resolved':
      return `Pulling from ${p.ref} (${p.platform}, ${p.layers.length} layer${p.layers.length === 1 ? '' : 's'})`;
    case 'layer':
      return p.status === 'done' || p.status === 'exists' ? `${p.digest.slice(7, 19)}: ${p.status === 'done' ? 'Pull complete' : 'Already exists'}` : null;
    case 'done':
      return `Digest: ${p.manifestDigest}\nStatus: Downloaded newer image for ${p.ref}`;
  }
}

export function buildBackend(rt: Runtime, opts: RegistryBackendOptions = {}): BuildBackend {
  const pull: PullFn = async (ref, progress) => {
    const domain = parseReference(ref).domain;
    let auth;
    try {
      auth = readCredentials(domain, opts.dockerConfig);
    } catch {
      auth = undefined;
    }
    await pullImage(rt.images, {
      ref,
      auth,
      insecure: opts.insecureRegistries ?? [],
      onProgress: (e) => {
        const line = pullProgressLine(e);
        if (line) progress(line);
      },
    });
  };
  return {
    buildImage: (req, emit) =>
      rt.builder.buildFromTar(
        req.context,
        { dockerfile: req.dockerfile, tags: req.tags, buildArgs: req.buildArgs, noCache: req.noCache, target: req.target, network: req.network, pull },
        emit,
      ),
    commitContainer: (id, opts) => rt.builder.commitContainer(rt.containers, id, opts),
  };
}
