// The audit log for admins: GET ?user=&action=&outcome=&q=&before=ID&limit=N as JSON (newest
// first, paged with `before`), or &format=csv for everything that matches, as a download.
import { getStore, type AuditQuery } from '@/lib/server/db';
import { AdminError, auditCsv } from '@/lib/server/admin';
import { adminErrorResponse, adminFrom } from '@/lib/server/admin-route';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(req: Request): Promise<Response> {
  try {
    await adminFrom(req, false);
    const p = new URL(req.url).searchParams;
    const csv = p.get('format') === 'csv';
    const num = (v: string | null, name: string, max: number) => {
      if (v === null || v === '') return undefined;
      if (!/^\d{1,12}$/.test(v) || Number(v) > max) throw new AdminError(400, `${name} must be a number up to ${max}`);
      return Number(v);
    };
    const q: AuditQuery = {
      username: p.get('user') || undefined,
      action: p.get('action') || undefined,
      outcome: p.get('outcome') || undefined,
      text: p.get('q') || undefined,
      beforeId: num(p.get('before'), 'before', Number.MAX_SAFE_INTEGER),
      limit: csv ? 100_000 : (num(p.get('limit'), 'limit', 1000) ?? 200),
    };
    const rows = await (await getStore()).queryAudit(q);
    if (csv) {
      const name = `berth-audit-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`;
      return new Response(auditCsv(rows), { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' } });
    }
    return Response.json(rows);
  } catch (e) {
    return adminErrorResponse(e);
  }
}
