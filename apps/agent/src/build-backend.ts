// `berth build` and `berth commit` over the runtime's image builder (packages/runtime/src/build).
import type { Runtime } from '@berth/runtime';
import type { BuildEvent } from '@berth/runtime/build/builder';

export interface BuildImageRequest {
  /** the context as a tar stream */
  context: NodeJS.ReadableStream;
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string>;
  noCache: boolean;
  target?: string;
}

export interface BuildBackend {
  buildImage(req: BuildImageRequest, emit: (e: BuildEvent) => void): Promise<{ id: string; tags: string[] }>;
  commitContainer(idOrName: string, opts: { ref?: string; message?: string; author?: string; changes?: string[] }): Promise<{ id: string; tags: string[] }>;
}

export function buildBackend(rt: Runtime): BuildBackend {
  return {
    buildImage: (req, emit) =>
      rt.builder.buildFromTar(req.context, { dockerfile: req.dockerfile, tags: req.tags, buildArgs: req.buildArgs, noCache: req.noCache, target: req.target }, emit),
    commitContainer: (id, opts) => rt.builder.commitContainer(rt.containers, id, opts),
  };
}
