// The build and commit endpoints (plain HTTP, like image load):
//   POST /v1/images/build?tags=T&tags=T2&dockerfile=PATH&buildargs=JSON&nocache=1&target=STAGE&network=bridge|none|host
//     body: the context tar; answer: JSON lines (BuildEvent, then {"type":"error",...} on failure)
//   POST /v1/containers/:id/commit?ref=REPO:TAG&message=M&author=A&change=INSTR…  → {"id","tags"}
import type http from 'node:http';
import type { Backend } from '../backend';
import { BUILD_NETWORKS, type BuildNetwork } from '@berth/runtime/build/builder';

const COMMIT_PATH = /^\/v1\/containers\/([a-zA-Z0-9_.-]{1,128})\/commit$/;

function bad(message: string) {
  return Object.assign(new Error(message), { code: 'invalid_argument' });
}

/** Handles the request when it is one of ours; returns false otherwise. */
export async function handleBuildRoutes(req: http.IncomingMessage, res: http.ServerResponse, url: URL, backend: Backend): Promise<boolean> {
  if (req.method === 'POST' && url.pathname === '/v1/images/build') {
    if (!backend.buildImage) throw Object.assign(new Error('build is not supported by this agent'), { code: 'not_implemented' });
    let buildArgs: Record<string, string> = {};
    const ba = url.searchParams.get('buildargs');
    if (ba) {
      let v: unknown;
      try {
        v = JSON.parse(ba);
      } catch {
        throw bad('buildargs must be a JSON object of strings');
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string'))
        throw bad('buildargs must be a JSON object of strings');
      buildArgs = v as Record<string, string>;
    }
    const network = (url.searchParams.get('network') || 'bridge') as BuildNetwork;
    if (!BUILD_NETWORKS.includes(network)) throw bad(`network ${network}: a build's RUN steps use bridge (the default), none or host`);
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const send = (o: unknown) => res.write(JSON.stringify(o) + '\n');
    try {
      await backend.buildImage(
        {
          context: req,
          dockerfile: url.searchParams.get('dockerfile') || 'Dockerfile',
          tags: url.searchParams.getAll('tags'),
          buildArgs,
          noCache: url.searchParams.get('nocache') === '1',
          target: url.searchParams.get('target') || undefined,
          network,
        },
        send,
      );
    } catch (e) {
      req.resume();
      send({ type: 'error', code: (e as { code?: string }).code ?? 'internal', message: e instanceof Error ? e.message : String(e) });
    }
    res.end();
    return true;
  }
  const m = COMMIT_PATH.exec(url.pathname);
  if (req.method === 'POST' && m) {
    if (!backend.commitContainer) throw Object.assign(new Error('commit is not supported by this agent'), { code: 'not_implemented' });
    req.resume();
    const r = await backend.commitContainer(m[1]!, {
      ref: url.searchParams.get('ref') || undefined,
      message: url.searchParams.get('message') || undefined,
      author: url.searchParams.get('author') || undefined,
      changes: url.searchParams.getAll('change'),
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(r));
    return true;
  }
  return false;
}
