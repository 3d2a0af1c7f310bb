// An authenticated HTTP transport to one registry for one set of scopes
// (go-containerregistry pkg/v1/remote/transport): the first request (or an explicit ping of
// /v2/) meets the registry's challenge; basic credentials or a bearer token from the challenge's
// realm are then sent with every request. A 401 later (a token that expired, a wider scope)
// re-authenticates once. Requests with streamed bodies authenticate before sending.
import type { RegistryAuth } from '@berth/shared';
import { BerthError } from '../errors';
import { basicHeader, fetchBearerToken, type FetchFn } from './bearer';
import { parseChallenges, type Challenge } from './challenge';
import type { RegistryEndpoint } from './endpoint';
import { networkError, registryError } from './errors';
import { isRetryableStatus, withRetry } from './retry';

export interface TransportOptions {
  endpoint: RegistryEndpoint;
  auth?: RegistryAuth;
  /** token scopes: `repository:library/busybox:pull`, `registry:catalog:*` */
  scopes: string[];
  fetchFn?: FetchFn;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: BodyInit | null;
  signal?: AbortSignal;
  /** what the request is for, in error messages */
  what: string;
  /** statuses the caller handles itself (no error thrown) */
  accept?: number[];
  /** retry transient failures (idempotent requests only) */
  retry?: boolean;
  /** the body can be sent a second time (no stream) */
  replayable?: boolean;
}

const USER_AGENT = 'berth/0.1';

export class RegistryTransport {
  readonly endpoint: RegistryEndpoint;
  private readonly auth?: RegistryAuth;
  private readonly scopes: string[];
  private readonly fetchFn: FetchFn;
  private authorization: string | null = null;
  private pinged = false;

  constructor(opts: TransportOptions) {
    this.endpoint = opts.endpoint;
    this.auth = opts.auth && (opts.auth.username || opts.auth.password || opts.auth.identityToken) ? opts.auth : undefined;
    this.scopes = opts.scopes;
    this.fetchFn = opts.fetchFn ?? fetch;
  }

  get domain(): string {
    return this.endpoint.domain;
  }

  url(p: string): string {
    return p.startsWith('http://') || p.startsWith('https://') ? p : `${this.endpoint.baseUrl}${p}`;
  }

  /** GET /v2/ and meet its challenge; afterwards every request carries the credentials. */
  async ping(signal?: AbortSignal): Promise<void> {
    const res = await this.send('GET', '/v2/', {}, undefined, signal, 'checking registry');
    if (res.status === 401) {
      await res.body?.cancel();
      await this.authenticate(parseChallenges(res.headers.get('www-authenticate')), [], signal);
      const again = await this.send('GET', '/v2/', {}, undefined, signal, 'checking registry');
      await again.body?.cancel();
      if (again.status === 401) throw this.rejected();
      if (!again.ok && again.status !== 404) throw await registryError(again, 'checking registry', this.domain);
    } else {
      await res.body?.cancel();
      if (!res.ok && res.status !== 404) throw await registryError(res, 'checking registry', this.domain);
    }
    this.pinged = true;
  }

  private rejected(): BerthError {
    return new BerthError(
      'unauthenticated',
      this.auth
        ? `registry ${this.domain}: unauthorized: incorrect username or password`
        : `registry ${this.domain}: unauthorized: authentication required (run berth login ${this.domain})`,
    );
  }

  private async authenticate(challenges: Challenge[], extraScopes: string[], signal?: AbortSignal): Promise<void> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (bearer) {
      const token = await fetchBearerToken({
        challenge: bearer,
        scopes: [...this.scopes, ...extraScopes],
        auth: this.auth,
        domain: this.domain,
        fetchFn: this.fetchFn,
        signal,
      });
      this.authorization = `Bearer ${token}`;
    } else if (basic) {
      if (!this.auth) throw this.rejected();
      this.authorization = basicHeader(this.auth);
    } else {
      throw new BerthError('unauthenticated', `registry ${this.domain} refused the request without a usable authentication challenge`);
    }
  }

  private async send(method: string, p: string, headers: Record<string, string>, body: BodyInit | null | undefined, signal: AbortSignal | undefined, what: string): Promise<Response> {
    const h: Record<string, string> = { 'user-agent': USER_AGENT, ...headers };
    if (this.authorization) h.authorization = this.authorization;
    const init: RequestInit & { duplex?: string } = { method, headers: h, signal, redirect: 'follow' };
    if (body !== undefined && body !== null) {
      init.body = body;
      init.duplex = 'half';
    }
    try {
      return await this.fetchFn(this.url(p), init);
    } catch (e) {
      if (signal?.aborted) throw signal.reason ?? e;
      throw networkError(e, this.domain, what);
    }
  }

  /** One request, authenticated; throws a BerthError for statuses not in `accept`. */
  async request(p: string, opts: RequestOptions): Promise<Response> {
    const method = opts.method ?? 'GET';
    const replayable = opts.replayable ?? (opts.body === undefined || opts.body === null || typeof opts.body === 'string' || opts.body instanceof Uint8Array);
    if (!this.pinged && !replayable) await this.ping(opts.signal);
    const once = async (): Promise<Response> => {
      let res = await this.send(method, p, opts.headers ?? {}, opts.body, opts.signal, opts.what);
      if (res.status === 401 && replayable) {
        await res.body?.cancel();
        const challenges = parseChallenges(res.headers.get('www-authenticate'));
        const bearer = challenges.find((c) => c.scheme === 'bearer');
        await this.authenticate(challenges, bearer?.params.scope ? bearer.params.scope.split(' ') : [], opts.signal);
        this.pinged = true;
        res = await this.send(method, p, opts.headers ?? {}, opts.body, opts.signal, opts.what);
        if (res.status === 401) {
          await res.body?.cancel();
          throw this.rejected();
        }
      }
      if (opts.accept?.includes(res.status) || res.ok) return res;
      if (res.status === 401) {
        await res.body?.cancel();
        throw this.rejected();
      }
      const err = await registryError(res, opts.what, this.domain);
      if (opts.retry && isRetryableStatus(res.status)) (err as BerthError & { retryable?: boolean }).retryable = true;
      throw err;
    };
    return opts.retry ? withRetry(once, { signal: opts.signal }) : once();
  }
}
