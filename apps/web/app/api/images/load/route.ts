// Image upload: streams the request body (an OCI layout tar or a `docker save` tar) to the
// agent's /v1/images/load and relays its JSON answer.
import { userFromRequest } from '@/lib/server/session';
import { canMutate, originAllowed } from '@/lib/server/auth';
import { agentOrError, type AgentTarget } from '@/lib/server/agent';
import { audit } from '@/lib/server/audit';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const err = (status: number, code: string, message: string) => Response.json({ code, message }, { status });

export async function POST(req: Request): Promise<Response> {
  const user = await userFromRequest(req);
  if (!user) return err(401, 'unauthenticated', 'not logged in');
  const agent = await agentOrError(req);
  if (agent instanceof Response) return agent;
  if (!originAllowed(req.headers.get('origin'), req.headers.get('host'))) return err(403, 'permission_denied', 'cross-origin request refused');
  if (!canMutate(user.role)) return err(403, 'permission_denied', `user ${user.username} has the read-only role ${user.role}`);
  if (!req.body) return err(400, 'invalid_argument', 'request body must be an image tar');
  const fileName = req.headers.get('x-file-name') ?? '';
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
    await audit(user, 'images.load', fileName, '', 'agent unreachable');
    return err(502, 'unavailable', `agent unreachable: ${(e as Error).message}`);
  }
  const text = await upstream.text();
  await audit(user, 'images.load', fileName, text.slice(0, 2000), upstream.ok ? 'ok' : `http ${upstream.status}`);
  return new Response(text, { status: upstream.status, headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json' } });
}
