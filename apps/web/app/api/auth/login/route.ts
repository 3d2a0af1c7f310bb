import { getStore } from '@/lib/server/db';
import { login, originAllowed, sessionCookie } from '@/lib/server/auth';
import { loadConfig } from '@/lib/server/config';
import { audit } from '@/lib/server/audit';
import { loginLimiter } from '@/lib/server/rate-limit';
import { clientAddress } from '@/lib/server/client-address';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function POST(req: Request): Promise<Response> {
  if (!originAllowed(req.headers.get('origin'), req.headers.get('host'))) {
    return Response.json({ message: 'cross-origin request refused' }, { status: 403 });
  }
  // JSON from the login form's script; a plain form post when scripts have not loaded
  const isForm = (req.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
  let username = '';
  let password = '';
  try {
    const body = isForm ? Object.fromEntries(await req.formData()) : ((await req.json()) as Record<string, unknown>);
    username = typeof body.username === 'string' ? body.username.trim() : '';
    password = typeof body.password === 'string' ? body.password : '';
  } catch {
    return Response.json({ message: 'request body must be JSON {username, password}' }, { status: 400 });
  }
  const fail = (status: number, message: string) =>
    isForm ? new Response(null, { status: 303, headers: { location: '/login?error=1' } }) : Response.json({ message }, { status });
  if (!username || !password) return fail(400, 'username and password are required');
  const limiter = loginLimiter();
  const ip = clientAddress(req);
  const wait = limiter.retryAfter(ip, username);
  if (wait > 0) {
    await audit(undefined, 'auth.login', username, ip, 'rate limited');
    const message = `too many failed logins: try again in ${wait} s`;
    return isForm
      ? new Response(null, { status: 303, headers: { location: '/login?error=limited' } })
      : Response.json({ message }, { status: 429, headers: { 'retry-after': String(wait) } });
  }
  const result = await login(await getStore(), username, password);
  if (!result) {
    limiter.failed(ip, username);
    await audit(undefined, 'auth.login', username, ip, 'bad credentials');
    return fail(401, 'wrong username or password');
  }
  limiter.succeeded(username);
  await audit(result.user, 'auth.login', username, '', 'ok');
  const cookie = sessionCookie(result.sessionId, result.expires, loadConfig().secureCookies);
  if (isForm) return new Response(null, { status: 303, headers: { location: '/containers', 'set-cookie': cookie } });
  return Response.json({ username: result.user.username, role: result.user.role }, { headers: { 'set-cookie': cookie } });
}
