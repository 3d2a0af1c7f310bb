import { getStore } from '@/lib/server/db';
import { login, originAllowed, sessionCookie } from '@/lib/server/auth';
import { loadConfig } from '@/lib/server/config';
import { audit } from '@/lib/server/audit';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function POST(req: Request): Promise<Response> {
  if (!originAllowed(req.headers.get('origin'), req.headers.get('host'))) {
    return Response.json({ message: 'cross-origin request refused' }, { status: 403 });
  }
  let username = '';
  let password = '';
  try {
    const body = (await req.json()) as { username?: unknown; password?: unknown };
    username = typeof body.username === 'string' ? body.username.trim() : '';
    password = typeof body.password === 'string' ? body.password : '';
  } catch {
    return Response.json({ message: 'request body must be JSON {username, password}' }, { status: 400 });
  }
  if (!username || !password) return Response.json({ message: 'username and password are required' }, { status: 400 });
  const result = await login(await getStore(), username, password);
  if (!result) {
    await audit(undefined, 'auth.login', username, '', 'bad credentials');
    return Response.json({ message: 'wrong username or password' }, { status: 401 });
  }
  await audit(result.user, 'auth.login', username, '', 'ok');
  return Response.json(
    { username: result.user.username, role: result.user.role },
    { headers: { 'set-cookie': sessionCookie(result.sessionId, result.expires, loadConfig().secureCookies) } },
  );
}
