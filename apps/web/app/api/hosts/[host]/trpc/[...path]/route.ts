// tRPC to a named host's agent (the combined container list asks every host at once).
import { proxyTrpc } from '@/lib/server/trpc-proxy';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Ctx = { params: Promise<{ host: string; path: string[] }> };

async function handle(req: Request, ctx: Ctx): Promise<Response> {
  const { host, path } = await ctx.params;
  return proxyTrpc(req, path.join('/'), host);
}

export const GET = handle;
export const POST = handle;
