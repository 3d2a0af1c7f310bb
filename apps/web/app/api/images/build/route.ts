// Image build from the dashboard: streams the request body (a build-context tar made in the
// browser) to the agent's /v1/images/build and relays its event stream (JSON lines) as it comes.
import { agentRoute, routeError as err } from '@/lib/server/agent-route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The query the agent understands; anything else is dropped here, not passed through. */
const PASSED = ['tags', 'dockerfile', 'buildargs', 'nocache', 'target'];

export async function POST(req: Request): Promise<Response> {
  const incoming = new URL(req.url).searchParams;
  const q = new URLSearchParams();
  for (const [k, v] of incoming) if (PASSED.includes(k)) q.append(k, v);
  const tags = q.getAll('tags').join(', ');
  const route = await agentRoute(req, { action: 'images.build', object: tags });
  if (route instanceof Response) return route;
  const { agent } = route;
  if (!req.body) return err(400, 'invalid_argument', 'request body must be the build context as a tar');
  let upstream: Response;
  try {
    upstream = await agent.fetch(agent.http(`/v1/images/build?${q}`), {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.token()}`, 'content-type': 'application/x-tar' },
      body: req.body,
        // @ts-expect-error: Node's fetch needs duplex for a streamed request body
        duplex: 'half',
      signal: req.signal,
    });
  } catch (e) {
    await route.audit('images.build', tags, '', 'agent unreachable');
    return err(502, 'unavailable', `agent unreachable: ${(e as Error).message}`);
  }
  if (!upstream.ok || !upstream.body) {
    const text = await upstream.text();
    await route.audit('images.build', tags, text.slice(0, 2000), `http ${upstream.status}`);
    return new Response(text, { status: upstream.status, headers: { 'content-type': 'application/json' } });
  }
  // relay the events as they come, and note the outcome (the last event) in the audit log
  let last = '';
  const dec = new TextDecoder();
  const relay = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, ctl) {
      last = (last + dec.decode(chunk, { stream: true })).slice(-4000);
      ctl.enqueue(chunk);
    },
    async flush() {
      const lines = last.trim().split('\n');
      const end = lines[lines.length - 1] ?? '';
      await route.audit('images.build', tags, end.slice(0, 2000), /"type":"done"/.test(end) ? 'ok' : 'failed');
    },
  });
  return new Response(upstream.body.pipeThrough(relay), {
    status: 200,
    headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
  });
}
