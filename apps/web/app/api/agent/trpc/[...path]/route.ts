// tRPC to the agent of the host the berth_host cookie selects (the host selector).
import { proxyTrpc } from '@/lib/server/trpc-proxy';
import { hostIdOf } from '@/lib/server/agent';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Ctx = { params: Promise<{ path: string[] }> };

async function handle(req: Request, ctx: Ctx): Promise<Response> {
  const { path } = await ctx.params;
  return proxyTrpc(req, path.join('/'), hostIdOf(req.headers.get('cookie')));
}

export const GET = handle;
export const POST = handle;
