// Error bodies in tRPC's wire shape, so the browser's tRPC client shows the web's own refusals
// (not logged in, read-only role) like any other error.
const jsonRpc: Record<string, number> = { BAD_REQUEST: -32600, UNAUTHORIZED: -32001, FORBIDDEN: -32003, NOT_FOUND: -32004, BAD_GATEWAY: -32603, INTERNAL_SERVER_ERROR: -32603 };
const berth: Record<string, string> = { BAD_REQUEST: 'invalid_argument', NOT_FOUND: 'not_found', UNAUTHORIZED: 'unauthenticated', FORBIDDEN: 'permission_denied', BAD_GATEWAY: 'unavailable', INTERNAL_SERVER_ERROR: 'internal' };

export function trpcErrorResponse(code: 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_GATEWAY', httpStatus: number, message: string, batch: number | null): Response {
  const one = { error: { message, code: jsonRpc[code], data: { code, httpStatus, berthCode: berth[code] } } };
  const body = batch === null ? one : Array.from({ length: batch }, () => one);
  return Response.json(body, { status: httpStatus });
}
