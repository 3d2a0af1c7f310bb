// Image download: streams the agent's /v1/images/save tar (docker-archive or oci-archive) to
// the browser as an attachment. Any logged-in user may save; each save is audited.
import { agentRoute, routeError as err } from '@/lib/server/agent-route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(req: Request): Promise<Response> {
  const route = await agentRoute(req);
  if (route instanceof Response) return route;
  const { agent } = route;
  const url = new URL(req.url);
  const names = url.searchParams.getAll('names').filter(Boolean);
  const format = url.searchParams.get('format') === 'oci-archive' ? 'oci-archive' : 'docker-archive';
  if (names.length === 0) return err(400, 'invalid_argument', 'name at least one image to save');
  const q = new URLSearchParams({ format });
  for (const n of names) q.append('names', n);
  let upstream: Response;
  try {
    upstream = await agent.fetch(agent.http(`/v1/images/save?${q}`), { headers: { authorization: `Bearer ${agent.token()}` }, signal: req.signal, cache: 'no-store' });
  } catch (e) {
    return err(502, 'unavailable', `agent unreachable: ${(e as Error).message}`);
  }
  await route.audit('images.save', names.join(' '), format, upstream.ok ? 'ok' : `http ${upstream.status}`);
  if (!upstream.ok || !upstream.body) {
    return new Response(await upstream.text(), { status: upstream.status, headers: { 'content-type': 'application/json' } });
  }
  const file = `${names[0]!.replace(/[^a-zA-Z0-9._-]+/g, '_')}${format === 'oci-archive' ? '.oci' : ''}.tar`;
  return new Response(upstream.body, {
    status: 200,
    headers: { 'content-type': 'application/x-tar', 'content-disposition': `attachment; filename="${file}"`, 'cache-control': 'no-store' },
  });
}
