// The client's address for rate limiting: server.ts writes the socket's peer address into
// x-berth-client-ip on every request (replacing anything a client sent), so it cannot be forged.
export const CLIENT_IP_HEADER = 'x-berth-client-ip';

export function clientAddress(req: Request): string {
  return req.headers.get(CLIENT_IP_HEADER) ?? 'unknown';
}
