// Admins add an agent by URL + token (+ the sha256 fingerprint of an https agent's certificate);
// it must answer before it is saved.
import { getStore } from '@/lib/server/db';
import { addHost } from '@/lib/server/hosts';
import { adminErrorResponse, adminFrom, jsonBody } from '@/lib/server/admin-route';
import { audit } from '@/lib/server/audit';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function POST(req: Request): Promise<Response> {
  let admin;
  try {
    admin = await adminFrom(req, true);
    const body = await jsonBody(req);
    const h = await addHost(await getStore(), body);
    await audit(admin, 'hosts.add', h.name, { url: h.url, pinned: h.fingerprint !== null }, 'ok');
    return Response.json({ id: h.id, name: h.name, url: h.url }, { status: 201 });
  } catch (e) {
    if (admin) await audit(admin, 'hosts.add', '', '', `failed: ${(e as Error).message}`);
    return adminErrorResponse(e);
  }
}
