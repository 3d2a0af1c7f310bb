// A client for one agent: typed tRPC (HTTP for calls, WebSocket for subscriptions), the raw
// terminal sockets and the binary image upload. Used by the CLI and by the web server; it imports
// no runtime code.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import WebSocket from 'ws';
import { createTRPCClient, createWSClient, httpLink, splitLink, wsLink } from '@trpc/client';
import type { AppRouter } from '../api/router';
import { lightFetch, type LightFetch } from './light-fetch';
import { agentTransport } from './pinned-tls';

export interface AgentEndpoint {
  url: string; // http://127.0.0.1:7471, or https://HOST:PORT for an agent with TLS
  token: string;
  /** BERTH_AGENT_FINGERPRINT: the agent's certificate, pinned by SHA-256 (client/pinned-tls.ts) */
  fingerprint?: string;
}

export class AgentError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Finds the local agent the way the CLI does: env first, then the data root's token file. */
export function localEndpoint(env: NodeJS.ProcessEnv = process.env): AgentEndpoint {
  const url = env.BERTH_AGENT_URL ?? `http://${env.BERTH_AGENT_ADDR ?? '127.0.0.1:7471'}`;
  let token = env.BERTH_TOKEN;
  if (!token) {
    const file = path.join(env.BERTH_ROOT ?? '/var/lib/berth', 'agent.token');
    try {
      token = fs.readFileSync(file, 'utf8').trim();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new AgentError(
        'unauthenticated',
        code === 'EACCES'
          ? `cannot read the agent token ${file}: permission denied (run as root, or set BERTH_TOKEN)`
          : `cannot find the agent token ${file}: is the agent set up? (start it with scripts/up.sh, or set BERTH_TOKEN)`,
      );
    }
  }
  return { url, token, ...(env.BERTH_AGENT_FINGERPRINT ? { fingerprint: env.BERTH_AGENT_FINGERPRINT } : {}) };
}

export function createAgentClient(ep: AgentEndpoint) {
  const headers = { authorization: `Bearer ${ep.token}` };
  let transport: ReturnType<typeof agentTransport>;
  try {
    transport = agentTransport(ep.url, ep.fingerprint);
  } catch (e) {
    throw new AgentError('invalid_argument', (e as Error).message);
  }
  const { agent } = transport;
  const fetch: LightFetch = lightFetch(agent);
  const wsOpts = { headers, ...(agent ? { agent } : {}) };
  let wsClient: ReturnType<typeof createWSClient> | undefined;
  const getWsClient = () =>
    (wsClient ??= createWSClient({
      url: ep.url.replace(/^http/, 'ws') + '/trpc',
      WebSocket: class extends WebSocket {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols, wsOpts);
        }
      } as unknown as typeof globalThis.WebSocket,
    }));
  const trpc = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLinkLazy(() => getWsClient()),
        false: httpLink({ url: `${ep.url}/trpc`, headers, fetch: fetch as unknown as typeof globalThis.fetch }),
      }),
    ],
  });

  return {
    trpc,
    /** fetch for the agent's other HTTP endpoints (pinned when the endpoint has a fingerprint) */
    fetch,
    close() {
      wsClient?.close();
    },
    /** Opens a terminal socket (exec or attach) and sends its first JSON message. */
    terminal(containerId: string, kind: 'exec' | 'attach', params: object): WebSocket {
      const url = `${ep.url.replace(/^http/, 'ws')}/v1/containers/${encodeURIComponent(containerId)}/${kind}`;
      const ws = new WebSocket(url, wsOpts);
      ws.binaryType = 'nodebuffer';
      ws.once('open', () => ws.send(JSON.stringify(params)));
      return ws;
    },
    /** A streamed GET (logs, export, save) and its body as a Node stream. */
    async download(pathAndQuery: string): Promise<Readable> {
      const res = await fetch(`${ep.url}${pathAndQuery}`, { headers });
      if (!res.ok) {
        let json: { code?: string; message?: string } = {};
        try {
          json = JSON.parse(await res.text()) as typeof json;
        } catch {
          /* not JSON: the status says it */
        }
        throw new AgentError(json.code ?? 'internal', json.message ?? `agent answered ${res.status}`);
      }
      return res.stream();
    },
    /** `berth cp`: the stat of a path in a container (null when it does not exist). */
    async archiveStat(containerId: string, p: string, follow = false): Promise<ArchiveStat | null> {
      const q = new URLSearchParams({ path: p, ...(follow ? { follow: '1' } : {}) });
      const res = await fetch(`${ep.url}/v1/containers/${encodeURIComponent(containerId)}/archive?${q}`, { method: 'HEAD', headers });
      if (res.ok) return JSON.parse(decodeURIComponent(res.headers.get('x-berth-path-stat') ?? '')) as ArchiveStat;
      if (res.status === 404) {
        // HEAD has no body: a missing container fails inspect with its own message, else the path is missing
        await trpc.containers.inspect.query({ id: containerId });
        return null;
      }
      throw new AgentError('internal', `agent answered ${res.status} for the stat of ${p}`);
    },
    /** `berth cp` out: a tar of a path in a container. */
    async getArchive(containerId: string, p: string, opts: { rebase?: string; follow?: boolean } = {}): Promise<{ stat: ArchiveStat; stream: Readable }> {
      const q = new URLSearchParams({ path: p, ...(opts.rebase ? { rebase: opts.rebase } : {}), ...(opts.follow ? { follow: '1' } : {}) });
      const res = await fetch(`${ep.url}/v1/containers/${encodeURIComponent(containerId)}/archive?${q}`, { headers });
      if (!res.ok) {
        const json = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
        throw new AgentError(json.code ?? 'internal', json.message ?? `agent answered ${res.status}`);
      }
      const stat = JSON.parse(decodeURIComponent(res.headers.get('x-berth-path-stat') ?? '')) as ArchiveStat;
      return { stat, stream: res.stream() };
    },
    /** `berth cp` in: extracts a tar into the directory `p` of a container. */
    async putArchive(containerId: string, p: string, body: Readable, opts: { rebase?: string; keepOwner?: boolean } = {}): Promise<{ files: number; bytes: number }> {
      const q = new URLSearchParams({ path: p, ...(opts.rebase ? { rebase: opts.rebase } : {}), ...(opts.keepOwner ? { keepOwner: '1' } : {}) });
      const res = await fetch(`${ep.url}/v1/containers/${encodeURIComponent(containerId)}/archive?${q}`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/x-tar' },
        body,
      });
      const json = (await res.json().catch(() => ({}))) as { code?: string; message?: string; files?: number; bytes?: number };
      if (!res.ok) throw new AgentError(json.code ?? 'internal', json.message ?? `agent answered ${res.status}`);
      return json as { files: number; bytes: number };
    },
    /** Streams a tar to an upload endpoint (/v1/images/load or /v1/images/import?...). */
    async upload(pathAndQuery: string, body: Readable): Promise<unknown> {
      const res = await fetch(`${ep.url}${pathAndQuery}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-tar' },
        body,
      });
      const json = (await res.json()) as { code?: string; message?: string };
      if (!res.ok) throw new AgentError(json.code ?? 'internal', json.message ?? `agent answered ${res.status}`);
      return json;
    },
  };
}

export type AgentClient = ReturnType<typeof createAgentClient>;

export interface ArchiveStat {
  name: string;
  size: number;
  mode: number;
  type: 'dir' | 'file' | 'symlink' | 'other';
  linkTarget: string;
}

// wsLink wants its client when the tRPC client is built, and the client connects at once. Build
// both only when an operation first goes this way (a subscription): a plain query or mutation
// from the CLI then never opens a WebSocket (which cost a handshake and a close per command).
function wsLinkLazy(get: () => ReturnType<typeof createWSClient>) {
  type Link = ReturnType<typeof wsLink<AppRouter>>;
  return ((runtime: Parameters<Link>[0]) => {
    let op: ReturnType<Link> | undefined;
    return (opts: Parameters<ReturnType<Link>>[0]) => (op ??= wsLink<AppRouter>({ client: get() })(runtime))(opts);
  }) as Link;
}
