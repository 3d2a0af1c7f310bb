// Search: `TERM` searches Docker Hub; `HOST[:PORT]/TERM` searches that registry — its v1 search
// API where it has one, else its /v2/_catalog filtered by the term (the distribution registry
// has no search API). Login: checks credentials against /v2/.
import type { RegistryAuth, SearchResult } from '@berth/shared';
import { invalid, wrap } from '../errors';
import { DEFAULT_DOMAIN } from '../images/reference';
import type { FetchFn } from './bearer';
import { RegistryClient } from './client';

export interface SearchOptions {
  auth?: RegistryAuth;
  insecure?: readonly string[];
  limit?: number;
  fetchFn?: FetchFn;
  signal?: AbortSignal;
}

/** Splits `host:5000/busy` into registry and term; a bare term means Docker Hub. */
export function splitSearchTerm(input: string): { domain: string; term: string } {
  const s = input.trim();
  if (!s) throw invalid('search needs a term');
  const i = s.indexOf('/');
  if (i > 0) {
    const first = s.slice(0, i);
    if (first.includes('.') || first.includes(':') || first === 'localhost') return { domain: first, term: s.slice(i + 1) };
  }
  return { domain: DEFAULT_DOMAIN, term: s };
}

export async function searchImages(input: string, opts: SearchOptions = {}): Promise<SearchResult[]> {
  const { domain, term } = splitSearchTerm(input);
  const limit = Math.min(Math.max(opts.limit ?? 25, 1), 100);
  try {
    const apiDomain = domain === DEFAULT_DOMAIN ? 'index.docker.io' : domain;
    const v1 = new RegistryClient(apiDomain, { auth: opts.auth, insecure: opts.insecure, fetchFn: opts.fetchFn });
    const hits = await v1.searchV1(term, limit, opts.signal);
    if (hits) {
      return hits.slice(0, limit).map((h) => ({
        name: domain === DEFAULT_DOMAIN ? h.name : `${domain}/${h.name}`,
        description: typeof h.description === 'string' ? h.description : '',
        stars: typeof h.star_count === 'number' ? h.star_count : 0,
        official: h.is_official === true,
      }));
    }
    const cat = new RegistryClient(domain, { auth: opts.auth, insecure: opts.insecure, fetchFn: opts.fetchFn, scopes: ['registry:catalog:*'] });
    const repos = await cat.catalog(opts.signal);
    const t = term.toLowerCase();
    return repos
      .filter((r) => r.toLowerCase().includes(t))
      .slice(0, limit)
      .map((r) => ({ name: `${domain}/${r}`, description: '', stars: 0, official: false }));
  } catch (e) {
    throw wrap(e, `searching ${domain} for "${term}"`);
  }
}

export async function checkLogin(domain: string, auth: RegistryAuth, opts: { insecure?: readonly string[]; fetchFn?: FetchFn; signal?: AbortSignal } = {}): Promise<void> {
  try {
    await new RegistryClient(domain, { auth, insecure: opts.insecure, fetchFn: opts.fetchFn }).login(opts.signal);
  } catch (e) {
    throw wrap(e, `login to ${domain}`);
  }
}
