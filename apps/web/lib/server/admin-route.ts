// Shared checks for the /api/admin routes: an admin session, same-origin for writes, and errors
// as JSON {message} with the right status.
import { userFromRequest } from './session';
import { originAllowed } from './auth';
import { AdminError } from './admin';
import type { User } from './db';

export async function adminFrom(req: Request, write: boolean): Promise<User> {
  const user = await userFromRequest(req);
  if (!user) throw new AdminError(401, 'not logged in');
  if (write && !originAllowed(req.headers.get('origin'), req.headers.get('host'))) throw new AdminError(403, 'cross-origin request refused');
  if (user.role !== 'admin') throw new AdminError(403, `user ${user.username} is not an admin`);
  return user;
}

export function adminErrorResponse(e: unknown): Response {
  if (e instanceof AdminError) return Response.json({ message: e.message }, { status: e.status });
  return Response.json({ message: (e as Error).message ?? String(e) }, { status: 500 });
}

export async function jsonBody(req: Request): Promise<Record<string, unknown>> {
  try {
    const v = (await req.json()) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error();
    return v as Record<string, unknown>;
  } catch {
    throw new AdminError(400, 'request body must be a JSON object');
  }
}
