// `berth cp` over HTTP: HEAD/GET/PUT /v1/containers/:id/archive?path=P. HEAD and GET carry the
// path's stat in the X-Berth-Path-Stat header (URI-encoded JSON); GET streams a tar of the path
// (entries named from `rebase`), PUT extracts the request's tar into the directory P.
import type http from 'node:http';
import type { Backend } from '../backend';

export const ARCHIVE_PATH = /^\/v1\/containers\/([a-zA-Z0-9_.-]{1,128})\/archive$/;
export const EXPORT_PATH = /^\/v1\/containers\/([a-zA-Z0-9_.-]{1,128})\/export$/;

/** GET /v1/containers/:id/export: `berth export`, the container's root filesystem as a tar. */
export async function handleExport(req: http.IncomingMessage, res: http.ServerResponse, backend: Backend, id: string): Promise<void> {
  if (req.method !== 'GET') {
    res.writeHead(405, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 'invalid_argument', message: `export does not take ${req.method}` }));
    return;
  }
  const out = await backend.exportContainer(id);
  res.writeHead(200, { 'content-type': 'application/x-tar' });
  await streamTar(res, out);
}

async function streamTar(res: http.ServerResponse, out: { stream: NodeJS.ReadableStream & { readableEnded: boolean }; done: Promise<void>; kill(): void }) {
  res.on('close', () => out.kill());
  out.stream.pipe(res, { end: false });
  try {
    await out.done;
    await new Promise<void>((r) => (out.stream.readableEnded ? r() : out.stream.once('end', () => r())));
    res.end();
  } catch (e) {
    res.destroy(e instanceof Error ? e : new Error(String(e)));
  }
}

export async function handleArchive(req: http.IncomingMessage, res: http.ServerResponse, backend: Backend, id: string, q: URLSearchParams): Promise<void> {
  const p = q.get('path');
  if (!p) throw Object.assign(new Error('archive needs a path query parameter'), { code: 'invalid_argument' });
  const follow = q.get('follow') === '1';
  const rebase = q.get('rebase') ?? undefined;
  if (req.method === 'HEAD') {
    const stat = await backend.archiveStat(id, p, follow);
    res.writeHead(200, { 'x-berth-path-stat': encodeURIComponent(JSON.stringify(stat)) });
    res.end();
    return;
  }
  if (req.method === 'GET' && q.get('raw') === '1') {
    // one regular file's bytes, for the dashboard's download
    const f = await backend.readFile(id, p);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(f.size) });
    res.on('close', () => f.kill());
    f.stream.on('error', (e) => res.destroy(e));
    f.stream.pipe(res);
    return;
  }
  if (req.method === 'GET') {
    const out = await backend.archiveGet(id, p, { rebase, follow });
    res.writeHead(200, { 'content-type': 'application/x-tar', 'x-berth-path-stat': encodeURIComponent(JSON.stringify(out.stat)) });
    await streamTar(res, out);
    return;
  }
  if (req.method === 'PUT') {
    const r = await backend.archivePut(id, p, req, { rebase, keepOwner: q.get('keepOwner') === '1' });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(r));
    return;
  }
  res.writeHead(405, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code: 'invalid_argument', message: `archive does not take ${req.method}` }));
}
