// WebSocket proxy for terminals: browser ⇄ web (session cookie + Origin checked here) ⇄ agent
// (token added here). Frames pass through unchanged in both directions; the agent owns the
// protocol. Only /ws/containers/<id>/(exec|attach) is handled — every other upgrade is left
// alone for Next (dev hot reload) to take.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { TerminalOp, frame } from '@berth/shared';
import { SESSION_COOKIE, canMutate, originAllowed, readCookie, sessionKey, sessionUser } from './auth';
import { trackConnection } from './live';
import { terminalDenial } from './policy';
import { getStore, type User } from './db';
import { agentFor, hostIdOf, type AgentTarget } from './agent';
import { audit, onHost } from './audit';

const PATH = /^\/ws\/containers\/([^/]+)\/(exec|attach)$/;

export function matchTerminalPath(url: string | undefined): { id: string; kind: 'exec' | 'attach' } | null {
  const pathname = (url ?? '').split('?')[0]!;
  const m = PATH.exec(pathname);
  if (!m) return null;
  let id: string;
  try {
    id = decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
  return { id, kind: m[2] as 'exec' | 'attach' };
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

export function createTerminalProxy() {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });

  /** Returns true when the upgrade is ours (and is now being handled). */
  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const target = matchTerminalPath(req.url);
    if (!target) return false;
    void (async () => {
      if (!originAllowed(req.headers.origin, req.headers.host)) return refuse(socket, 403, 'Forbidden');
      let user: User | undefined;
      const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
      try {
        user = await sessionUser(await getStore(), sid);
      } catch {
        return refuse(socket, 500, 'Internal Server Error');
      }
      if (!user) return refuse(socket, 401, 'Unauthorized');
      if (!canMutate(user.role)) return refuse(socket, 403, 'Forbidden');
      let agent: AgentTarget;
      try {
        agent = await agentFor(hostIdOf(req.headers.cookie));
      } catch {
        return refuse(socket, 404, 'Not Found');
      }
      wss.handleUpgrade(req, socket, head, (client) => {
        // logout, removal or a role change closes the terminal at once
        const untrack = trackConnection(user.id, sessionKey(sid!), () => client.close(4001, 'session ended'));
        client.on('close', untrack);
        bridge(client, agent, target.id, target.kind, user);
      });
    })();
    return true;
  }

  return { handleUpgrade, close: () => wss.close() };
}

function bridge(client: WebSocket, agent: AgentTarget, id: string, kind: 'exec' | 'attach', user: User): void {
  const queue: { data: RawData; binary: boolean }[] = [];
  let upstream: WebSocket;
  const fail = (message: string) => {
    if (client.readyState === WebSocket.OPEN) {
      client.send(frame(TerminalOp.error, JSON.stringify({ code: 'unavailable', message })));
      client.close(1011, 'agent unavailable');
    }
  };
  try {
    const wsAgent = agent.wsAgent();
    upstream = new WebSocket(agent.ws(`/v1/containers/${encodeURIComponent(id)}/${kind}`), {
      headers: { authorization: `Bearer ${agent.token()}` },
      maxPayload: 4 * 1024 * 1024,
      ...(wsAgent ? { agent: wsAgent } : {}),
    });
  } catch (e) {
    return fail((e as Error).message);
  }
  void audit(user, `containers.${kind}`, onHost(agent, id), '', 'opened');

  let first = true;
  client.on('message', (data, binary) => {
    if (first) {
      // the first frame holds the exec's parameters: the same role rules as the tRPC proxy
      first = false;
      let hello: unknown = null;
      try {
        hello = binary ? null : JSON.parse(data.toString());
      } catch {
        /* the agent answers a malformed first frame itself */
      }
      const denial = terminalDenial(user.role, hello);
      if (denial) {
        void audit(user, `containers.${kind}`, onHost(agent, id), hello, `denied: ${denial}`);
        if (client.readyState === WebSocket.OPEN) {
          client.send(frame(TerminalOp.error, JSON.stringify({ code: 'permission_denied', message: denial })));
          client.close(1008, 'denied');
        }
        upstream.terminate();
        return;
      }
    }
    if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
    else if (upstream.readyState === WebSocket.CONNECTING) queue.push({ data, binary });
  });
  upstream.on('open', () => {
    for (const m of queue.splice(0)) upstream.send(m.data, { binary: m.binary });
  });
  upstream.on('message', (data, binary) => {
    if (client.readyState === WebSocket.OPEN) client.send(data, { binary });
  });
  upstream.on('unexpected-response', (_req, res) => {
    let body = '';
    res.on('data', (c: Buffer) => (body += c.toString()));
    res.on('end', () => {
      let message = `agent refused the terminal (http ${res.statusCode})`;
      try {
        const j = JSON.parse(body) as { message?: string };
        if (j.message) message = j.message;
      } catch {
        if (body.trim()) message += `: ${body.trim().slice(0, 200)}`;
      }
      fail(message);
    });
  });
  upstream.on('error', (e) => fail(`agent unreachable: ${e.message}`));
  upstream.on('close', (code, reason) => {
    if (client.readyState === WebSocket.OPEN) client.close(safeCode(code), reason.toString().slice(0, 120));
  });
  client.on('close', () => {
    if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) upstream.close(1000, 'client closed');
  });
  client.on('error', () => upstream.terminate());
}

// 1005/1006/1015 are reserved: they may not be sent in a close frame
function safeCode(code: number): number {
  return code === 1005 || code === 1006 || code === 1015 || code < 1000 ? 1000 : code;
}
