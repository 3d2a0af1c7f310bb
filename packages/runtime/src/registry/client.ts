// The distribution API for one repository, over an authenticated transport: manifests (by tag
// or digest, with the media types we accept), blobs (with Range for resume), monolithic blob
// uploads, manifest puts, tags, the catalog and the v1 search API.
import type { RegistryAuth } from '@berth/shared';
import { invalid } from '../errors';
import { sha256Digest } from '../content/store';
import { MT } from '../images/oci';
import type { Reference } from '../images/reference';
import type { FetchFn } from './bearer';
import { registryEndpoint } from './endpoint';
import { RegistryTransport } from './transport';

export const MANIFEST_ACCEPT = [MT.ociIndex, MT.dockerList, MT.ociManifest, MT.dockerManifest].join(', ');
const MANIFEST_LIMIT = 4 << 20;

export interface RegistryClientOptions {
  auth?: RegistryAuth;
  insecure?: readonly string[];
  push?: boolean;
  fetchFn?: FetchFn;
}

export interface FetchedManifest {
  body: Buffer;
  mediaType: string | undefined;
  digest: string;
}

export class RepositoryClient {
  readonly transport: RegistryTransport;
  constructor(
    readonly domain: string,
    readonly repo: string,
    opts: RegistryClientOptions = {},
  ) {
    this.transport = new RegistryTransport({
      endpoint: registryEndpoint(domain, opts.insecure),
      auth: opts.auth,
      scopes: [`repository:${repo}:${opts.push ? 'pull,push' : 'pull'}`],
      fetchFn: opts.fetchFn,
    });
  }

  static forRef(ref: Reference, opts: RegistryClientOptions = {}): RepositoryClient {
    return new RepositoryClient(ref.domain, ref.path, opts);
  }

  /** A manifest or index by tag or digest; a digest reference is verified against the bytes. */
  async manifest(tagOrDigest: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const what = `fetching manifest ${this.repo}:${tagOrDigest}`.replace(':sha256:', '@sha256:');
    const res = await this.transport.request(`/v2/${this.repo}/manifests/${tagOrDigest}`, {
      headers: { accept: MANIFEST_ACCEPT },
      signal,
      what,
      retry: true,
    });
    const len = Number(res.headers.get('content-length') ?? '0');
    if (len > MANIFEST_LIMIT) {
      await res.body?.cancel();
      throw invalid(`${what}: manifest is too large (${len} bytes)`);
    }
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > MANIFEST_LIMIT) throw invalid(`${what}: manifest is too large (${body.length} bytes)`);
    const digest = sha256Digest(body);
    if (tagOrDigest.startsWith('sha256:') && digest !== tagOrDigest) {
      throw invalid(`manifest ${tagOrDigest} digest mismatch: the registry sent content with digest ${digest}`);
    }
    const header = res.headers.get('docker-content-digest');
    if (header && header.startsWith('sha256:') && header !== digest) {
      throw invalid(`manifest ${this.repo}:${tagOrDigest} digest mismatch: registry says ${header}, content is ${digest}`);
    }
    const ct = res.headers.get('content-type')?.split(';')[0]?.trim();
    return { body, mediaType: ct && ct !== 'application/json' && ct !== 'text/plain' ? ct : undefined, digest };
  }

  /** GET a blob, from `offset` with a Range request when > 0. Status 200 or 206. */
  async blob(digest: string, offset: number, signal?: AbortSignal): Promise<Response> {
    return this.transport.request(`/v2/${this.repo}/blobs/${digest}`, {
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      signal,
      what: `fetching blob ${digest}`,
      retry: true,
      accept: [206],
    });
  }

  async hasBlob(digest: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.transport.request(`/v2/${this.repo}/blobs/${digest}`, {
      method: 'HEAD',
      signal,
      what: `checking blob ${digest}`,
      retry: true,
      accept: [404],
    });
    await res.body?.cancel();
    return res.status !== 404;
  }

  /** Monolithic upload: POST to open a session, PUT the bytes with the digest. */
  async uploadBlob(digest: string, size: number, body: () => BodyInit, signal?: AbortSignal): Promise<void> {
    await this.transport.ping(signal);
    const start = await this.transport.request(`/v2/${this.repo}/blobs/uploads/`, {
      method: 'POST',
      body: '',
      headers: { 'content-length': '0' },
      signal,
      what: `starting upload of blob ${digest}`,
      accept: [201, 202],
    });
    await start.body?.cancel();
    if (start.status === 201) return; // mounted / already there
    const loc = start.headers.get('location');
    if (!loc) throw invalid(`registry ${this.domain} gave no upload location for blob ${digest}`);
    const u = new URL(loc, this.transport.endpoint.baseUrl + '/');
    u.searchParams.set('digest', digest);
    const put = await this.transport.request(u.toString(), {
      method: 'PUT',
      body: body(),
      replayable: false,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      signal,
      what: `uploading blob ${digest}`,
    });
    await put.body?.cancel();
  }

  async putManifest(tagOrDigest: string, body: Buffer, mediaType: string, signal?: AbortSignal): Promise<string> {
    const res = await this.transport.request(`/v2/${this.repo}/manifests/${tagOrDigest}`, {
      method: 'PUT',
      body: new Uint8Array(body),
      headers: { 'content-type': mediaType },
      signal,
      what: `pushing manifest ${this.repo}:${tagOrDigest}`,
    });
    await res.body?.cancel();
    return res.headers.get('docker-content-digest') ?? sha256Digest(body);
  }
}

/** Registry-wide calls: login check, search (v1 API) and the catalog. */
export class RegistryClient {
  readonly transport: RegistryTransport;
  constructor(
    readonly domain: string,
    opts: RegistryClientOptions & { scopes?: string[] } = {},
  ) {
    this.transport = new RegistryTransport({
      endpoint: registryEndpoint(domain, opts.insecure),
      auth: opts.auth,
      scopes: opts.scopes ?? [],
      fetchFn: opts.fetchFn,
    });
  }

  /** Checks credentials against /v2/ (through the token service when bearer). */
  async login(signal?: AbortSignal): Promise<void> {
    await this.transport.ping(signal);
  }

  /** The registry's v1 search API, or null when it has none. */
  async searchV1(term: string, limit: number, signal?: AbortSignal): Promise<{ name: string; description: string; star_count: number; is_official: boolean }[] | null> {
    const q = new URLSearchParams({ q: term, n: String(limit) });
    const res = await this.transport.request(`/v1/search?${q}`, { signal, what: `searching ${this.domain}`, accept: [404, 405, 401, 400], retry: true });
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    const j = (await res.json().catch(() => null)) as { results?: unknown[] } | null;
    if (!j || !Array.isArray(j.results)) return null;
    return j.results.filter((r): r is { name: string; description: string; star_count: number; is_official: boolean } => typeof (r as { name?: unknown }).name === 'string');
  }

  /** Every repository in /v2/_catalog, following Link pagination (bounded). */
  async catalog(signal?: AbortSignal): Promise<string[]> {
    const out: string[] = [];
    let next: string | null = '/v2/_catalog?n=1000';
    for (let page = 0; next && page < 50; page++) {
      const res: Response = await this.transport.request(next, { signal, what: `listing the catalog of ${this.domain}`, retry: true });
      const j = (await res.json().catch(() => ({}))) as { repositories?: unknown };
      if (Array.isArray(j.repositories)) for (const r of j.repositories) if (typeof r === 'string') out.push(r);
      const link = res.headers.get('link');
      const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
      next = m ? m[1]! : null;
    }
    return out;
  }
}
