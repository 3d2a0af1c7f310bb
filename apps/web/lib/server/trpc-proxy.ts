// The browser's only way to an agent's tRPC API: checks the session (and the role and policy for
// mutations), writes mutations to the audit log with their host, and forwards to that host's agent
// with its token, streaming the answer (SSE for subscriptions) back unchanged.
import { userFromRequest } from './session';
import { SESSION_COOKIE, canMutate, originAllowed, readCookie, sessionKey } from './auth';
import { policyDenial } from './policy';
import { trackConnection } from './live';
import { agentFor, HostError, type AgentTarget } from './agent';
import { audit, onHost } from './audit';
import { trpcErrorResponse } from './trpc-errors';


const MUTATING_SUBSCRIPTIONS = new Set(['images.pull', 'images.push']);
const forwardRequestHeaders = ['content-type', 'accept', 'last-event-id', 'trpc-accept', 'x-trpc-source'];
const forwardResponseHeaders = ['content-type', 'cache-control', 'vary', 'trpc-accept'];

/** Proxies one tRPC request (batch, mutation or subscription) to the agent of `hostId`. */
export async function proxyTrpc(req: Request, procPath: string, hostId: string): Promise<Response> {
  const url = new URL(req.url);
  const isBatch = url.searchParams.get('batch') === '1';
  const procedures = procPath.split(',');
  const batchCount = isBatch ? procedures.length : null;

  const user = await userFromRequest(req);
  if (!user) return trpcErrorResponse('UNAUTHORIZED', 401, 'not logged in', batchCount);
  let agent: AgentTarget;
  try {
    agent = await agentFor(hostId);
  } catch (e) {
    return trpcErrorResponse(e instanceof HostError && e.status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', e instanceof HostError ? e.status : 400, (e as Error).message, batchCount);
  }
  // the audit log names the host of every action on a remote agent
  const targetOf = (input: unknown, isBatch = false) => onHost(agent, objectOf(input, isBatch));

  // Pulling and pushing images are subscriptions (GET, SSE) that change state: treat them as
  // mutations — operators and admins only, and written to the audit log.
  const stateChanging = procedures.filter((p) => MUTATING_SUBSCRIPTIONS.has(p));
  if (req.method === 'GET' && stateChanging.length > 0) {
    const input = url.searchParams.get('input') ?? '';
    // an EventSource from another site carries its Origin: refuse it (ours may send none)
    const origin = req.headers.get('origin');
    if (origin && !originAllowed(origin, req.headers.get('host'))) return trpcErrorResponse('FORBIDDEN', 403, 'cross-origin request refused', batchCount);
    if (!canMutate(user.role)) {
      await audit(user, stateChanging.join(','), onHost(agent, ''), '', 'denied: read-only role');
      return trpcErrorResponse('FORBIDDEN', 403, `user ${user.username} has the read-only role ${user.role}`, batchCount);
    }
    const detail = input.includes('"auth"') ? '(input with credentials, not logged)' : input.slice(0, 2000);
    await audit(user, stateChanging.join(','), targetOf(input, false), detail, 'started');
  }

  let body: string | undefined;
  if (req.method === 'POST') {
    // POST is how tRPC sends mutations: same-origin only, operators and admins only
    if (!originAllowed(req.headers.get('origin'), req.headers.get('host'))) {
      return trpcErrorResponse('FORBIDDEN', 403, 'cross-origin request refused', batchCount);
    }
    if (!canMutate(user.role)) {
      await audit(user, procedures.join(','), onHost(agent, ''), '', 'denied: read-only role');
      return trpcErrorResponse('FORBIDDEN', 403, `user ${user.username} has the read-only role ${user.role}`, batchCount);
    }
    body = await req.text();
    // operators may not reach past the default confinement (privileged, capabilities, host paths…)
    const asked = parseInputs(body, isBatch, procedures.length);
    for (let i = 0; i < procedures.length; i++) {
      const denial = policyDenial(user.role, procedures[i]!, asked[i]);
      if (denial) {
        await audit(user, procedures[i]!, targetOf(asked[i]), asked[i] ?? null, `denied: ${denial}`);
        return trpcErrorResponse('FORBIDDEN', 403, denial, batchCount);
      }
    }
  }

  const headers = new Headers();
  for (const h of forwardRequestHeaders) {
    const v = req.headers.get(h);
    if (v) headers.set(h, v);
  }
  let upstream: Response;
  try {
    headers.set('authorization', `Bearer ${agent.token()}`);
    upstream = await agent.fetch(agent.http(`/trpc/${procPath}${url.search}`), {
      method: req.method,
      headers,
      body,
      signal: req.signal,
      cache: 'no-store',
    });
  } catch (e) {
    if (body !== undefined) await audit(user, procedures.join(','), targetOf(body, isBatch), body, 'agent unreachable');
    return trpcErrorResponse('BAD_GATEWAY', 502, `agent unreachable: ${(e as Error).message}`, batchCount);
  }

  if (body !== undefined) {
    const inputs = parseInputs(body, isBatch, procedures.length);
    for (let i = 0; i < procedures.length; i++) {
      await audit(user, procedures[i]!, targetOf(inputs[i]), inputs[i] ?? null, upstream.ok ? 'ok' : `http ${upstream.status}`);
    }
  }

  const out = new Headers();
  for (const h of forwardResponseHeaders) {
    const v = upstream.headers.get(h);
    if (v) out.set(h, v);
  }
  if (out.get('content-type')?.startsWith('text/event-stream') && upstream.body) {
    out.set('cache-control', 'no-cache, no-transform');
    out.set('x-accel-buffering', 'no');
    // a live stream (logs, stats, events, pull): logout, removal or a role change ends it
    const reader = upstream.body.getReader();
    const sid = readCookie(req.headers.get('cookie'), SESSION_COOKIE) ?? '';
    let untrack = () => {};
    const stream = new ReadableStream<Uint8Array>({
      start(ctl) {
        untrack = trackConnection(user.id, sessionKey(sid), () => {
          void reader.cancel().catch(() => {});
          try {
            ctl.close();
          } catch {
            /* already closed */
          }
        });
      },
      async pull(ctl) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
        if (done) {
          untrack();
          try {
            ctl.close();
          } catch {
            /* closed by the tracker */
          }
          return;
        }
        ctl.enqueue(value);
      },
      cancel() {
        untrack();
        void reader.cancel().catch(() => {});
      },
    });
    return new Response(stream, { status: upstream.status, headers: out });
  }
  return new Response(upstream.body, { status: upstream.status, headers: out });
}

function parseInputs(body: string, isBatch: boolean, n: number): unknown[] {
  try {
    const parsed = body ? JSON.parse(body) : undefined;
    if (!isBatch) return [parsed];
    return Array.from({ length: n }, (_, i) => (parsed as Record<string, unknown> | undefined)?.[String(i)]);
  } catch {
    return [];
  }
}

function objectOf(input: unknown, isBatch = false): string {
  if (typeof input === 'string') return objectOf(parseInputs(input, isBatch, 1)[0]);
  const o = input as { id?: unknown; ref?: unknown; name?: unknown; image?: unknown } | null | undefined;
  const t = o?.id ?? o?.ref ?? o?.name ?? o?.image;
  return typeof t === 'string' ? t : '';
}

