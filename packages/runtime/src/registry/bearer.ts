// The token half of the bearer flow (distribution's token spec): GET the challenge's realm with
// service and scope, basic credentials when we have them, or POST a refresh token (Docker's
// identitytoken) as an OAuth2 form. Tokens are cached per realm+service+scope until they expire.
import type { RegistryAuth } from '@berth/shared';
import { BerthError } from '../errors';
import type { Challenge } from './challenge';

export type FetchFn = typeof fetch;

interface Cached {
  token: string;
  expires: number;
}
const cache = new Map<string, Cached>();

export function basicHeader(auth: RegistryAuth): string {
  return `Basic ${Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64')}`;
}

export async function fetchBearerToken(opts: {
  challenge: Challenge;
  scopes: string[];
  auth?: RegistryAuth;
  domain: string;
  fetchFn: FetchFn;
  signal?: AbortSignal;
}): Promise<string> {
  const { challenge, scopes, auth, domain } = opts;
  const realm = challenge.params.realm;
  if (!realm) throw new BerthError('unauthenticated', `registry ${domain} asked for a bearer token without a realm`);
  let realmUrl: URL;
  try {
    realmUrl = new URL(realm);
  } catch {
    throw new BerthError('unauthenticated', `registry ${domain} gave an invalid token realm "${realm.slice(0, 200)}"`);
  }
  const service = challenge.params.service;
  const allScopes = [...new Set([...scopes, ...(challenge.params.scope ? challenge.params.scope.split(' ') : [])])];
  const who = auth?.username ?? (auth?.identityToken ? 'token' : 'anonymous');
  const key = `${realm}|${service ?? ''}|${allScopes.join(' ')}|${who}|${auth?.password ?? ''}${auth?.identityToken ?? ''}`;
  const hit = cache.get(key);
  if (hit && hit.expires > Date.now()) return hit.token;

  let res: Response;
  try {
    if (auth?.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: auth.identityToken, client_id: 'berth' });
      if (service) form.set('service', service);
      if (allScopes.length) form.set('scope', allScopes.join(' '));
      res = await opts.fetchFn(realmUrl, { method: 'POST', body: form, signal: opts.signal });
    } else {
      const u = new URL(realmUrl);
      if (service) u.searchParams.set('service', service);
      for (const s of allScopes) u.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (auth?.username || auth?.password) headers.authorization = basicHeader(auth);
      res = await opts.fetchFn(u, { headers, signal: opts.signal });
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new BerthError('unavailable', `cannot reach the token service ${realmUrl.origin} of registry ${domain}: ${msg}`, { cause: e });
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new BerthError(
      'unauthenticated',
      auth ? `registry ${domain}: unauthorized: incorrect username or password` : `registry ${domain}: unauthorized: authentication required (run berth login ${domain})`,
    );
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new BerthError('unavailable', `token service of registry ${domain} answered ${res.status}`);
  }
  const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string; expires_in?: number };
  const token = body.token ?? body.access_token;
  if (!token) throw new BerthError('unauthenticated', `token service of registry ${domain} returned no token`);
  const ttl = Math.max(60, typeof body.expires_in === 'number' ? body.expires_in : 60);
  cache.set(key, { token, expires: Date.now() + (ttl - 10) * 1000 });
  return token;
}
