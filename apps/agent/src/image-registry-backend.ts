// The registry and archive half of the image backend (issue 4): pull and push as streams of
// progress events, tag, history, layers, prune, search, login and save.
//
// Credentials: the CLI reads the caller's ~/.docker/config.json and sends the registry's entry
// with each pull/push/search; when a request carries none, the agent falls back to its own
// (root's) config file — $DOCKER_CONFIG/config.json or ~/.docker/config.json of the agent
// process — which is what the dashboard's pulls use. The agent never writes credentials.
import type { Writable } from 'node:stream';
import type { ImageProgress, RegistryAuth } from '@berth/shared';
import type { Runtime } from '@berth/runtime';
import { pullImage } from '@berth/runtime/images/pull';
import { pushImage } from '@berth/runtime/images/push';
import { prepareSave } from '@berth/runtime/images/save';
import { parsePlatform } from '@berth/runtime/images/platform';
import { parseReference } from '@berth/runtime/images/reference';
import { readCredentials } from '@berth/runtime/registry/credentials';
import { checkLogin, searchImages, splitSearchTerm } from '@berth/runtime/registry/search';
import type { Backend } from './backend';
import { eventStream } from './event-stream';

export interface RegistryBackendOptions {
  /** registries (host or host:port) that may be reached over plain http */
  insecureRegistries?: string[];
  /** where the agent's own credentials are; default: the agent user's docker config */
  dockerConfig?: string;
}

type RegistryPart = Pick<
  Backend,
  'pullImage' | 'pushImage' | 'tagImage' | 'imageHistory' | 'imageLayers' | 'pruneImages' | 'searchImages' | 'registryLogin' | 'saveImages'
>;

function hasAuth(a: RegistryAuth | undefined): a is RegistryAuth {
  return !!a && !!(a.username || a.password || a.identityToken);
}

export function imageRegistryBackend(rt: Runtime, opts: RegistryBackendOptions): RegistryPart {
  const insecure = opts.insecureRegistries ?? [];
  const authFor = (domain: string, given?: RegistryAuth): RegistryAuth | undefined => {
    if (hasAuth(given)) return given;
    try {
      return readCredentials(domain, opts.dockerConfig);
    } catch {
      return undefined;
    }
  };
  return {
    pullImage(req, signal) {
      const ref = parseReference(req.ref);
      const platform = req.platform ? parsePlatform(req.platform) : undefined;
      return eventStream<ImageProgress>(signal, (emit, sig) =>
        pullImage(rt.images, { ref: req.ref, platform, auth: authFor(ref.domain, req.auth), insecure, signal: sig, onProgress: emit }),
      );
    },
    pushImage(req, signal) {
      const ref = parseReference(req.ref);
      return eventStream<ImageProgress>(signal, (emit, sig) =>
        pushImage(rt.images, { ref: req.ref, auth: authFor(ref.domain, req.auth), insecure, signal: sig, onProgress: emit }),
      );
    },
    tagImage: (source, target) => rt.images.tag(source, target),
    imageHistory: (ref) => rt.images.history(ref),
    imageLayers: (ref) => rt.images.layerInfo(ref),
    async pruneImages(all) {
      const r = await rt.images.prune({ all });
      await rt.images.gc({ minAgeMs: 15 * 60 * 1000 }).catch(() => {});
      return r;
    },
    searchImages: (term, limit, auth) => searchImages(term, { limit, insecure, auth: authFor(splitSearchTerm(term).domain, auth) }),
    async registryLogin(server, auth) {
      const domain = normaliseServer(server);
      await checkLogin(domain, auth, { insecure });
      return { server: domain };
    },
    async saveImages(refs, format) {
      const prepared = prepareSave(rt.images, refs, format);
      return { write: (out) => prepared.write(out as Writable) };
    },
  };
}

/** `https://index.docker.io/v1/`, `docker.io`, `host:5000` → the registry domain. */
export function normaliseServer(server: string): string {
  let s = server.trim().replace(/^[a-z]+:\/\//i, '').split('/')[0]!;
  if (!s || s === 'index.docker.io' || s === 'registry-1.docker.io') s = 'docker.io';
  return s;
}
