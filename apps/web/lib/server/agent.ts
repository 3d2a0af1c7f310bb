// How the web server reaches an agent. "local" is its own agent (BERTH_AGENT_URL, the token from
// BERTH_TOKEN or the agent's token file, re-read so an agent restart with a new token is picked
// up; BERTH_AGENT_FINGERPRINT pins an https agent's certificate, as the CLI does). Other hosts
// are rows an admin added (URL, token, optional pinned fingerprint). Every request picks its host
// from the berth_host cookie (the host selector), or names it (the combined container list).
import fs from 'node:fs';
import path from 'node:path';
import { agentTransport } from '@berth/agent/pinned-tls';
import { loadConfig } from './config';
import { getStore } from './db';
import { readCookie } from './auth';

export const HOST_COOKIE = 'berth_host';
export const LOCAL_HOST = 'local';

export interface AgentTarget {
  id: string;
  name: string;
  url: string;
  token(): string;
  /** fetch, pinned to the host's certificate fingerprint when it has one */
  fetch: typeof fetch;
  /** the https.Agent for WebSockets (undefined: the platform's) */
  wsAgent(): ReturnType<typeof agentTransport>['agent'];
  http(p: string): string;
  ws(p: string): string;
}

export class HostError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function localToken(): string {
  const cfg = loadConfig();
  if (cfg.agentToken) return cfg.agentToken;
  const file = path.join(cfg.berthRoot, 'agent.token');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new Error(`agent token unavailable: set BERTH_TOKEN or create ${file} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

const g = globalThis as typeof globalThis & { __berthTransports?: Map<string, ReturnType<typeof agentTransport>> };
function transport(url: string, fingerprint: string | undefined) {
  const cache = (g.__berthTransports ??= new Map());
  const key = `${url}|${fingerprint ?? ''}`;
  let t = cache.get(key);
  if (!t) {
    t = agentTransport(url, fingerprint);
    cache.set(key, t);
  }
  return t;
}

export function targetFor(id: string, name: string, url: string, token: () => string, fingerprint: string | undefined): AgentTarget {
  const base = url.replace(/\/+$/, '');
  return {
    id,
    name,
    url: base,
    token,
    fetch: (input, init) => transport(base, fingerprint).fetch(input, init),
    wsAgent: () => transport(base, fingerprint).agent,
    http: (p) => base + p,
    ws: (p) => base.replace(/^http/, 'ws') + p,
  };
}

export function localAgent(): AgentTarget {
  return targetFor(LOCAL_HOST, 'local', loadConfig().agentUrl, localToken, process.env.BERTH_AGENT_FINGERPRINT || undefined);
}

/** The agent for a host id ("local" or a row's number); a 404 HostError for an unknown one. */
export async function agentFor(hostId: string): Promise<AgentTarget> {
  if (hostId === LOCAL_HOST) return localAgent();
  if (!/^\d{1,9}$/.test(hostId)) throw new HostError(400, `unknown host "${hostId.slice(0, 40)}"`);
  const row = await (await getStore()).hostById(Number(hostId));
  if (!row) throw new HostError(404, `no host ${hostId}: it was removed`);
  return targetFor(String(row.id), row.name, row.url, () => row.token, row.fingerprint ?? undefined);
}

/** The host the request's berth_host cookie selects ("local" when none). */
export function hostIdOf(cookieHeader: string | null | undefined): string {
  const v = readCookie(cookieHeader ?? undefined, HOST_COOKIE);
  return v && /^(local|\d{1,9})$/.test(v) ? v : LOCAL_HOST;
}

export async function agentForRequest(req: Request): Promise<AgentTarget> {
  return agentFor(hostIdOf(req.headers.get('cookie')));
}

/** The agent the request's host cookie selects, or the JSON error response to send instead. */
export async function agentOrError(req: Request): Promise<AgentTarget | Response> {
  try {
    return await agentForRequest(req);
  } catch (e) {
    const status = e instanceof HostError ? e.status : 500;
    return Response.json({ code: status === 404 ? 'not_found' : 'invalid_argument', message: (e as Error).message }, { status });
  }
}

/** One tRPC query to an agent from the server side: its data, or an Error with the agent's message. */
export async function agentQuery<T>(agent: AgentTarget, procedure: string, input: unknown, signal?: AbortSignal): Promise<T> {
  const q = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const r = await agent.fetch(agent.http(`/trpc/${procedure}${q}`), { headers: { authorization: `Bearer ${agent.token()}` }, signal });
  if (r.status === 401) throw new Error('the agent refused the token');
  const body = (await r.json().catch(() => ({}))) as { result?: { data: T }; error?: { message: string } };
  if (!r.ok || !body.result) throw new Error(body.error?.message ?? `the agent answered ${r.status}`);
  return body.result.data;
}
