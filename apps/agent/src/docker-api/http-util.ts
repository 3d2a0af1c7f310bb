// Small HTTP helpers for the Docker API adapter: Docker's JSON error shape and status codes, body
// parsing, query flags and the 8-byte stream header of multiplexed (non-TTY) streams.
import type http from 'node:http';
import type { ErrorCode } from '@berth/shared';

/** An error that already carries the HTTP status Docker answers with. */
export class DockerApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Berth's fixed error codes as the statuses Docker uses (409 for state conflicts, as dockerd). */
const statusOf: Record<ErrorCode, number> = {
  not_found: 404,
  already_exists: 409,
  invalid_argument: 400,
  failed_precondition: 409,
  conflict: 409,
  unavailable: 503,
  not_implemented: 501,
  unauthenticated: 401,
  permission_denied: 403,
  internal: 500,
};

export function errorStatus(err: unknown): number {
  if (err instanceof DockerApiError) return err.status;
  const code = (err as { code?: string }).code as ErrorCode | undefined;
  return (code && statusOf[code]) ?? 500;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: http.ServerResponse, err: unknown) {
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  sendJson(res, errorStatus(err), { message: errorMessage(err) });
}

export function noContent(res: http.ServerResponse, status = 204) {
  res.writeHead(status);
  res.end();
}

const MAX_BODY = 16 * 1024 * 1024;

export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new DockerApiError(413, 'request body too large');
    parts.push(c as Buffer);
  }
  return Buffer.concat(parts);
}

export async function readJson<T = Record<string, unknown>>(req: http.IncomingMessage): Promise<T> {
  const buf = await readBody(req);
  return parseJson<T>(buf);
}

export function parseJson<T>(buf: Buffer): T {
  if (buf.length === 0) return {} as T;
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch {
    throw new DockerApiError(400, 'invalid JSON in request body');
  }
}

/** Docker's boolean query values: 1, true, True */
export function flag(q: URLSearchParams, name: string, dflt = false): boolean {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  return v === '1' || v.toLowerCase() === 'true';
}

/** `filters={"name":["x"]}` (also the old `{"name":{"x":true}}` form) */
export function filters(q: URLSearchParams): Record<string, string[]> {
  const raw = q.get('filters');
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new DockerApiError(400, `invalid filters: ${raw}`);
  }
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    out[k] = Array.isArray(v) ? v.map(String) : v && typeof v === 'object' ? Object.keys(v) : [String(v)];
  }
  return out;
}

/** One frame of Docker's multiplexed stream: [stream, 0, 0, 0, len u32 BE] + bytes. */
export function muxFrame(stream: 'stdin' | 'stdout' | 'stderr', data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head[0] = stream === 'stdin' ? 0 : stream === 'stdout' ? 1 : 2;
  head.writeUInt32BE(data.length, 4);
  return Buffer.concat([head, data]);
}

export function unixSeconds(iso: string | null | undefined): number {
  if (!iso) return 0;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}
