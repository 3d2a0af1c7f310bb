// Every logged-in user sees the hosts (for the host selector and the home page) with their health;
// tokens never leave the server.
import { userFromRequest } from '@/lib/server/session';
import { getStore } from '@/lib/server/db';
import { hostHealth } from '@/lib/server/hosts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(req: Request): Promise<Response> {
  if (!(await userFromRequest(req))) return Response.json({ message: 'not logged in' }, { status: 401 });
  return Response.json(await hostHealth(await getStore()), { headers: { 'cache-control': 'no-store' } });
}
