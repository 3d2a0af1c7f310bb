// Admins remove a host: the dashboard forgets it (the agent and its containers are untouched).
import { getStore } from '@/lib/server/db';
import { AdminError } from '@/lib/server/admin';
import { adminErrorResponse, adminFrom } from '@/lib/server/admin-route';
import { audit } from '@/lib/server/audit';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Ctx = { params: Promise<{ id: string }> };

export async function DELETE(req: Request, ctx: Ctx): Promise<Response> {
  let admin;
  try {
    admin = await adminFrom(req, true);
    const { id } = await ctx.params;
    if (!/^\d{1,9}$/.test(id)) throw new AdminError(400, 'host id must be a number ("local" cannot be removed)');
    const store = await getStore();
    const h = await store.hostById(Number(id));
    if (!h) throw new AdminError(404, `no host ${id}`);
    await store.deleteHost(h.id);
    await audit(admin, 'hosts.remove', h.name, { url: h.url }, 'ok');
    return new Response(null, { status: 204 });
  } catch (e) {
    if (admin) await audit(admin, 'hosts.remove', '', '', `failed: ${(e as Error).message}`);
    return adminErrorResponse(e);
  }
}
