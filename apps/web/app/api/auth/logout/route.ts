import { getStore } from '@/lib/server/db';
import { SESSION_COOKIE, clearedSessionCookie, logout, originAllowed, readCookie, sessionKey } from '@/lib/server/auth';
import { closeSession } from '@/lib/server/live';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function POST(req: Request): Promise<Response> {
  if (!originAllowed(req.headers.get('origin'), req.headers.get('host'))) {
    return Response.json({ message: 'cross-origin request refused' }, { status: 403 });
  }
  const sid = readCookie(req.headers.get('cookie'), SESSION_COOKIE);
  await logout(await getStore(), sid);
  if (sid) closeSession(sessionKey(sid)); // this session's terminals and streams end with it
  // a relative Location keeps the browser on whatever host it used to reach us
  return new Response(null, { status: 303, headers: { location: '/login', 'set-cookie': clearedSessionCookie() } });
}
