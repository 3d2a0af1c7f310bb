// The hosts the dashboard manages: its own agent ("local") plus the agents an admin added. Adding
// one checks it answers with the given token (and pinned certificate) before it is saved; the
// health check asks every agent for its info with a short timeout.
import { agentFor, agentQuery, localAgent, LOCAL_HOST, targetFor, type AgentTarget } from './agent';
import { AdminError } from './admin';
import type { Store } from './db';

export interface HostHealth {
  id: string;
  name: string;
  url: string;
  up: boolean;
  error?: string;
  containers?: number;
  running?: number;
  images?: number;
  version?: string;
}

const FINGERPRINT = /^(sha256:)?([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/;

export function agentInfo(agent: AgentTarget, timeoutMs = 3000): Promise<{ version: string; containers: number; running: number; images: number }> {
  return agentQuery(agent, 'system.info', undefined, AbortSignal.timeout(timeoutMs));
}

export async function hostHealth(store: Store): Promise<HostHealth[]> {
  const rows = await store.listHosts();
  const targets = [localAgent(), ...(await Promise.all(rows.map((r) => agentFor(String(r.id)))))];
  return Promise.all(
    targets.map(async (a): Promise<HostHealth> => {
      try {
        const i = await agentInfo(a);
        return { id: a.id, name: a.name, url: a.id === LOCAL_HOST ? 'this machine' : a.url, up: true, containers: i.containers, running: i.running, images: i.images, version: i.version };
      } catch (e) {
        const err = e as Error & { cause?: { message?: string } };
        return { id: a.id, name: a.name, url: a.url, up: false, error: err.name === 'TimeoutError' ? 'no answer in 3 s' : (err.cause?.message ?? err.message) };
      }
    }),
  );
}

export async function addHost(store: Store, body: { name?: unknown; url?: unknown; token?: unknown; fingerprint?: unknown }) {
  if (typeof body.name !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/.test(body.name) || body.name === LOCAL_HOST)
    throw new AdminError(400, 'name must be 1-64 letters, digits or . _ - (and not "local")');
  let url: URL;
  try {
    url = new URL(String(body.url));
  } catch {
    throw new AdminError(400, 'url must be the agent\'s address, e.g. https://host:7471');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AdminError(400, 'url must be http:// or https://');
  if (typeof body.token !== 'string' || body.token.length < 16 || body.token.length > 512) throw new AdminError(400, "token must be the agent's token (its agent.token file)");
  const fingerprint = body.fingerprint === undefined || body.fingerprint === '' ? null : String(body.fingerprint);
  if (fingerprint !== null && !FINGERPRINT.test(fingerprint)) throw new AdminError(400, 'fingerprint must be a sha256 fingerprint (64 hex digits, colons allowed)');
  if (url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
    throw new AdminError(400, 'a remote agent must be reached over https (with its certificate pinned): the token would cross the network in clear');
  if ((await store.listHosts()).some((h) => h.name === body.name)) throw new AdminError(409, `a host named ${body.name} exists`);
  const origin = url.origin;
  // it must answer with this token (and certificate) before it is saved
  const candidate = targetFor('candidate', body.name, origin, () => body.token as string, fingerprint ?? undefined);
  try {
    await agentInfo(candidate);
  } catch (e) {
    const err = e as Error & { cause?: { message?: string } };
    throw new AdminError(400, `the agent at ${origin} did not answer: ${err.cause?.message ?? err.message}`);
  }
  return store.addHost({ name: body.name, url: origin, token: body.token, fingerprint });
}
