// The log viewer's download: the lines matching the viewer's search and time range, as plain
// text (ANSI escapes removed), streamed page by page from the agent so a million lines never sit
// in memory. GET ?grep=&since=&until=&timestamps=1
import { agentQuery } from '@/lib/server/agent';
import { agentRoute } from '@/lib/server/agent-route';
import { stripAnsi } from '@/lib/logs/ansi';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Ctx = { params: Promise<{ id: string }> };
interface Line {
  cursor: number;
  file?: number;
  stream: string;
  time: string;
  text: string;
}

export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  const route = await agentRoute(req);
  if (route instanceof Response) return route;
  const { agent } = route;
  const { id } = await ctx.params;
  const p = new URL(req.url).searchParams;
  const grep = p.get('grep') || undefined;
  const since = p.get('since') || undefined;
  const until = p.get('until') || undefined;
  const timestamps = p.get('timestamps') === '1';
  const fetchPage = async (anchor?: Line) => {
    const input = { id, page: { from: anchor ? 'after' : 'head', limit: 20_000, ...(anchor ? { anchor: { file: anchor.file ?? 0, cursor: anchor.cursor } } : {}), ...(grep ? { grep } : {}) }, ...(since ? { since } : {}), ...(until ? { until } : {}) };
    return agentQuery<{ lines: Line[]; more: boolean }>(agent, 'containers.logPage', input, req.signal);
  };
  let firstPage;
  try {
    firstPage = await fetchPage(); // errors (unknown container, bad time) before any byte
  } catch (e) {
    return Response.json({ message: (e as Error).message }, { status: 400 });
  }
  await route.audit('containers.logs.download', id, { grep, since, until }, 'ok');
  const enc = new TextEncoder();
  const text = (ls: Line[]) => enc.encode(ls.map((l) => `${timestamps ? `${l.time} ` : ''}${stripAnsi(l.text.replace(/\r?\n$/, ''))}\n`).join(''));
  let pageNow: { lines: Line[]; more: boolean } | null = firstPage;
  const stream = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (!pageNow) return c.close();
      c.enqueue(text(pageNow.lines));
      const last = pageNow.lines[pageNow.lines.length - 1];
      try {
        pageNow = pageNow.more && last ? await fetchPage(last) : null;
      } catch (e) {
        c.error(e);
      }
    },
  });
  const name = `${id.slice(0, 12).replace(/[^\w.-]/g, '_')}${grep ? '-filtered' : ''}.log`;
  return new Response(stream, { headers: { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' } });
}
