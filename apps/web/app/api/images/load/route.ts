// Image upload: streams the request body (an OCI layout tar or a `docker save` tar) to the
// agent's /v1/images/load and relays its JSON answer.
import { agentRoute, routeError as err } from '@/lib/server/agent-route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function POST(req: Request): Promise<Response> {
  const fileName = req.headers.get('x-file-name') ?? '';
  const route = await agentRoute(req, { action: 'images.load', object: fileName });
  if (route instanceof Response) return route;
  const { agent } = route;
  if (!req.body) return err(400, 'invalid_argument', 'request body must be an image tar');
  let upstream: Response;
  try {
    upstream = await agent.fetch(agent.http('/v1/images/load'), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${agent.token()}`,
        'content-type': 'application/x-tar',
        ...(req.headers.get('content-length') ? { 'content-length': req.headers.get('content-length')! } : {}),
      },
      body: req.body,
        // @ts-expect-error: Node's fetch needs duplex for a streamed request body
        duplex: 'half',
      signal: req.signal,
    });
  } catch (e) {
    await route.audit('images.load', fileName, '', 'agent unreachable');
    return err(502, 'unavailable', `agent unreachable: ${(e as Error).message}`);
  }
  const text = await upstream.text();
  await route.audit('images.load', fileName, text.slice(0, 2000), upstream.ok ? 'ok' : `http ${upstream.status}`);
  return new Response(text, { status: upstream.status, headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json' } });
}
