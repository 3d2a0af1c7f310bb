// Admins list and create dashboard users.
import { getStore } from '@/lib/server/db';
import { createUser } from '@/lib/server/admin';
import { adminErrorResponse, adminFrom, jsonBody } from '@/lib/server/admin-route';
import { audit } from '@/lib/server/audit';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(req: Request): Promise<Response> {
  try {
    await adminFrom(req, false);
    const users = await (await getStore()).listUsers();
    return Response.json(users.map((u) => ({ id: u.id, username: u.username, role: u.role, createdAt: u.createdAt })));
  } catch (e) {
    return adminErrorResponse(e);
  }
}

export async function POST(req: Request): Promise<Response> {
  let admin;
  try {
    admin = await adminFrom(req, true);
    const body = await jsonBody(req);
    const u = await createUser(await getStore(), body);
    await audit(admin, 'users.create', u.username, { role: u.role }, 'ok');
    return Response.json({ id: u.id, username: u.username, role: u.role, createdAt: u.createdAt }, { status: 201 });
  } catch (e) {
    if (admin) await audit(admin, 'users.create', '', '', `failed: ${(e as Error).message}`);
    return adminErrorResponse(e);
  }
}
