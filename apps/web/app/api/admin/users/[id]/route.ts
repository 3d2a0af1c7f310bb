// Admins change a user's role or password, or remove the user (their sessions, terminals and
// streams end at once).
import { getStore } from '@/lib/server/db';
import { AdminError, removeUser, updateUser } from '@/lib/server/admin';
import { adminErrorResponse, adminFrom, jsonBody } from '@/lib/server/admin-route';
import { audit } from '@/lib/server/audit';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Ctx = { params: Promise<{ id: string }> };

async function idOf(ctx: Ctx): Promise<number> {
  const { id } = await ctx.params;
  if (!/^\d{1,9}$/.test(id)) throw new AdminError(400, 'user id must be a number');
  return Number(id);
}

export async function PATCH(req: Request, ctx: Ctx): Promise<Response> {
  let admin;
  try {
    admin = await adminFrom(req, true);
    const id = await idOf(ctx);
    const body = await jsonBody(req);
    const u = await updateUser(await getStore(), id, body);
    await audit(admin, 'users.update', u.username, { role: body.role, password: body.password !== undefined ? '(changed)' : undefined }, 'ok');
    return Response.json({ id: u.id, username: u.username, role: u.role, createdAt: u.createdAt });
  } catch (e) {
    if (admin) await audit(admin, 'users.update', '', '', `failed: ${(e as Error).message}`);
    return adminErrorResponse(e);
  }
}

export async function DELETE(req: Request, ctx: Ctx): Promise<Response> {
  let admin;
  try {
    admin = await adminFrom(req, true);
    const id = await idOf(ctx);
    const store = await getStore();
    const name = (await store.userById(id))?.username ?? String(id);
    await removeUser(store, id, admin.id);
    await audit(admin, 'users.remove', name, '', 'ok');
    return new Response(null, { status: 204 });
  } catch (e) {
    if (admin) await audit(admin, 'users.remove', '', '', `failed: ${(e as Error).message}`);
    return adminErrorResponse(e);
  }
}
