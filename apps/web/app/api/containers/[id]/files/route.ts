// The file browser's transfers. GET ?path=P downloads a file as itself or a directory as a tar;
// PUT ?path=DIR extracts the request's tar (made in the browser from dropped files) into DIR.
// Both go to the agent's /v1/containers/:id/archive, which resolves every path inside the
// container's root; downloads need a session, uploads the operator or admin role.
import type { AgentTarget } from '@/lib/server/agent';
import { agentRoute, routeError as err } from '@/lib/server/agent-route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Ctx = { params: Promise<{ id: string }> };

function target(req: Request): string | Response {
  const p = new URL(req.url).searchParams.get('path') ?? '';
  if (!p.startsWith('/') || p.includes('\0') || p.length > 4096) return err(400, 'invalid_argument', 'path must be an absolute path in the container');
  return p;
}

const archiveUrl = (agent: AgentTarget, id: string, q: Record<string, string>) => agent.http(`/v1/containers/${encodeURIComponent(id)}/archive?${new URLSearchParams(q)}`);

/** A file name for Content-Disposition: the base name, with anything odd replaced. */
function downloadName(p: string, suffix: string): string {
  const base = p.replace(/\/+$/, '').split('/').pop() || 'root';
  return `${base.replace(/[^\w.-]+/g, '_')}${suffix}`;
}

async function agentError(r: Response): Promise<Response> {
  const j = (await r.json().catch(() => ({}))) as { code?: string; message?: string };
  return err(r.status, j.code ?? 'internal', j.message ?? `agent answered ${r.status}`);
}

export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  const route = await agentRoute(req);
  if (route instanceof Response) return route;
  const { agent } = route;
  const { id } = await ctx.params;
  const p = target(req);
  if (p instanceof Response) return p;
  const auth = { authorization: `Bearer ${agent.token()}` };
  const head = await agent.fetch(archiveUrl(agent, id, { path: p }), { method: 'HEAD', headers: auth }).catch(() => null);
  if (!head) return err(502, 'unavailable', 'agent unreachable');
  if (!head.ok) return err(head.status, head.status === 404 ? 'not_found' : 'internal', head.status === 404 ? `no such file or container: ${p}` : `agent answered ${head.status}`);
  const stat = JSON.parse(decodeURIComponent(head.headers.get('x-berth-path-stat') ?? '%7B%7D')) as { type?: string; linkTarget?: string };
  if (stat.type === 'symlink') return err(400, 'invalid_argument', `${p} is a symbolic link to ${stat.linkTarget}: open its target`);
  const asFile = stat.type === 'file';
  const r = await agent.fetch(archiveUrl(agent, id, asFile ? { path: p, raw: '1' } : { path: p }), { headers: auth, signal: req.signal });
  if (!r.ok || !r.body) return agentError(r);
  await route.audit('containers.download', id, p, 'ok');
  const headers: Record<string, string> = {
    'content-type': asFile ? 'application/octet-stream' : 'application/x-tar',
    'content-disposition': `attachment; filename="${downloadName(p, asFile ? '' : '.tar')}"`,
    'cache-control': 'no-store',
  };
  const len = r.headers.get('content-length');
  if (len) headers['content-length'] = len;
  return new Response(r.body, { status: 200, headers });
}

export async function PUT(req: Request, ctx: Ctx): Promise<Response> {
  const { id } = await ctx.params;
  const route = await agentRoute(req, { action: 'containers.upload', object: id });
  if (route instanceof Response) return route;
  const { agent } = route;
  const p = target(req);
  if (p instanceof Response) return p;
  if (!req.body) return err(400, 'invalid_argument', 'the body must be a tar of the files to upload');
  let r: Response;
  try {
    r = await agent.fetch(archiveUrl(agent, id, { path: p }), {
      method: 'PUT',
      headers: { authorization: `Bearer ${agent.token()}`, 'content-type': 'application/x-tar' },
      body: req.body,
        // @ts-expect-error: Node's fetch needs duplex for a streamed request body
        duplex: 'half',
      signal: req.signal,
    });
  } catch (e) {
    return err(502, 'unavailable', `agent unreachable: ${(e as Error).message}`);
  }
  const text = await r.text();
  await route.audit('containers.upload', id, `${p} ${text.slice(0, 500)}`, r.ok ? 'ok' : `http ${r.status}`);
  return new Response(text, { status: r.status, headers: { 'content-type': 'application/json' } });
}
