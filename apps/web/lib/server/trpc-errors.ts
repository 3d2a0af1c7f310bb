// Error bodies in tRPC's wire shape, so the browser's tRPC client shows the web's own refusals
// (not logged in, read-only role) like any other error.
const jsonRpc: Record<string, number> = { UNAUTHORIZED: -32001, FORBIDDEN: -32003, BAD_GATEWAY: -32603, INTERNAL_SERVER_ERROR: -32603 };
const berth: Record<string, string> = { UNAUTHORIZED: 'unauthenticated', FORBIDDEN: 'permission_denied', BAD_GATEWAY: 'unavailable', INTERNAL_SERVER_ERROR: 'internal' };

export function trpcErrorResponse(code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'BAD_GATEWAY', httpStatus: number, message: string, batch: number | null): Response {
  const one = { error: { message, code: jsonRpc[code], data: { code, httpStatus, berthCode: berth[code] } } };
  const body = batch === null ? one : Array.from({ length: batch }, () => one);
  return Response.json(body, { status: httpStatus });
}
