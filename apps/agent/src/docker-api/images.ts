// /images/*: list, inspect, pull (streamed JSON progress), push, tag, delete, history, save, load,
// search, prune — over the same Backend the tRPC routers use.
import type http from 'node:http';
import type { ImageProgress, RegistryAuth } from '@berth/shared';
import type { Ctx, Handler } from './context';
import { resOf } from './containers';
import { DockerApiError, filters, flag, noContent, sendJson, unixSeconds } from './http-util';
import { imageInspect, imageSummary } from './translate';

/** X-Registry-Auth: base64url JSON {username, password, identitytoken} */
function registryAuth(req: http.IncomingMessage): RegistryAuth | undefined {
  const h = req.headers['x-registry-auth'];
  if (typeof h !== 'string' || !h) return undefined;
  try {
    const j = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { username?: string; password?: string; identitytoken?: string };
    if (!j.username && !j.password && !j.identitytoken) return undefined;
    return { username: j.username || undefined, password: j.password || undefined, identityToken: j.identitytoken || undefined };
  } catch {
    return undefined;
  }
}

const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

const layerStatus: Record<string, string> = {
  waiting: 'Waiting',
  exists: 'Already exists',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  done: 'Pull complete',
  uploading: 'Pushing',
  pushed: 'Pushed',
  failed: 'Failed',
};

function progressMessages(p: ImageProgress, verb: 'pull' | 'push'): object[] {
  switch (p.type) {
    case 'status':
      return [{ status: p.message }];
    case 'resolved':
      return [{ status: verb === 'pull' ? `Pulling from ${p.ref}` : `The push refers to repository [${p.ref}]` }];
    case 'layer':
      return [{ status: layerStatus[p.status] ?? p.status, progressDetail: p.total ? { current: p.current, total: p.total } : {}, id: short(p.digest) }];
    case 'done':
      return verb === 'pull'
        ? [{ status: `Digest: ${p.manifestDigest}` }, { status: `Status: Downloaded newer image for ${p.ref}` }]
        : [{ status: `${p.ref}: digest: ${p.manifestDigest}` }, { aux: { Tag: p.ref, Digest: p.manifestDigest } }];
  }
}

/** Streams progress as Docker's JSON messages; an error before the first event is a JSON error. */
async function streamProgress(res: http.ServerResponse, events: AsyncIterable<ImageProgress>, verb: 'pull' | 'push', abort: AbortController) {
  const it = events[Symbol.asyncIterator]();
  let next = await it.next();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.flushHeaders();
  try {
    while (!next.done) {
      for (const m of progressMessages(next.value, verb)) res.write(JSON.stringify(m) + '\r\n');
      next = await it.next();
    }
  } catch (e) {
    if (abort.signal.aborted) return;
    const message = e instanceof Error ? e.message : String(e);
    res.write(JSON.stringify({ errorDetail: { message }, error: message }) + '\r\n');
  }
  res.end();
}

export const listImages: Handler = async (ctx) => {
  const f = filters(ctx.q);
  let list = await ctx.backend.listImages();
  if (f.reference) list = list.filter((i) => i.repoTags.some((t) => f.reference.some((r) => t === r || t.startsWith(`${r}:`) || globMatch(r, t))));
  if (f.dangling?.includes('true')) list = list.filter((i) => i.repoTags.length === 0);
  sendJson(resOf(ctx), 200, list.map(imageSummary));
};

function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.') + '(:.*)?$');
  return re.test(s);
}

export const inspectImage: Handler = async (ctx) => {
  sendJson(resOf(ctx), 200, imageInspect(await ctx.backend.inspectImage(ctx.params[0])));
};

export const createImage: Handler = async (ctx) => {
  const res = resOf(ctx);
  const fromImage = ctx.q.get('fromImage');
  const fromSrc = ctx.q.get('fromSrc');
  if (fromSrc) {
    if (fromSrc !== '-') throw new DockerApiError(501, 'berth does not implement import from a URL yet: send the archive as the body (fromSrc=-)');
    const repo = ctx.q.get('repo');
    if (!repo) throw new DockerApiError(400, 'import needs repo');
    const tag = ctx.q.get('tag');
    const r = await ctx.backend.importImage(ctx.req, tag ? `${repo}:${tag}` : repo);
    return sendJson(res, 200, { status: r.id });
  }
  if (!fromImage) throw new DockerApiError(400, 'fromImage or fromSrc is required');
  const tag = ctx.q.get('tag');
  const ref = !tag ? fromImage : tag.startsWith('sha256:') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  await streamProgress(res, ctx.backend.pullImage({ ref, platform: ctx.q.get('platform') || undefined, auth: registryAuth(ctx.req) }, abort.signal), 'pull', abort);
};

export const pushImage: Handler = async (ctx) => {
  const res = resOf(ctx);
  const tag = ctx.q.get('tag');
  const ref = tag ? `${ctx.params[0]}:${tag}` : ctx.params[0];
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  await streamProgress(res, ctx.backend.pushImage({ ref, auth: registryAuth(ctx.req) }, abort.signal), 'push', abort);
};

export const tagImage: Handler = async (ctx) => {
  const repo = ctx.q.get('repo');
  if (!repo) throw new DockerApiError(400, 'tag needs repo');
  const tag = ctx.q.get('tag') || 'latest';
  await ctx.backend.tagImage(ctx.params[0], `${repo}:${tag}`);
  noContent(resOf(ctx), 201);
};

export const removeImage: Handler = async (ctx) => {
  const r = await ctx.backend.removeImage(ctx.params[0], flag(ctx.q, 'force'));
  sendJson(resOf(ctx), 200, [...r.untagged.map((u) => ({ Untagged: u })), ...r.deleted.map((d) => ({ Deleted: d }))]);
};

export const imageHistory: Handler = async (ctx) => {
  const h = await ctx.backend.imageHistory(ctx.params[0]);
  sendJson(
    resOf(ctx),
    200,
    h.map((e) => ({ Id: e.id, Created: unixSeconds(e.created), CreatedBy: e.createdBy, Tags: null, Size: e.size, Comment: e.comment })),
  );
};

async function save(ctx: Ctx, names: string[]) {
  const res = resOf(ctx);
  if (names.length === 0) throw new DockerApiError(400, 'no images to save');
  const saver = await ctx.backend.saveImages(names, 'docker-archive');
  res.writeHead(200, { 'content-type': 'application/x-tar' });
  await saver.write(res).catch((e) => res.destroy(e instanceof Error ? e : new Error(String(e))));
}

export const getImage: Handler = (ctx) => save(ctx, [ctx.params[0]]);
export const getImages: Handler = (ctx) => save(ctx, ctx.q.getAll('names'));

export const loadImages: Handler = async (ctx) => {
  const r = await ctx.backend.loadImages(ctx.req);
  const res = resOf(ctx);
  res.writeHead(200, { 'content-type': 'application/json' });
  for (const l of r.loaded) {
    if (l.tags.length === 0) res.write(JSON.stringify({ stream: `Loaded image ID: ${l.id}\n` }) + '\r\n');
    for (const t of l.tags) res.write(JSON.stringify({ stream: `Loaded image: ${t}\n` }) + '\r\n');
  }
  res.end();
};

export const searchImages: Handler = async (ctx) => {
  const term = ctx.q.get('term');
  if (!term) throw new DockerApiError(400, 'search needs a term');
  const limit = ctx.q.get('limit');
  const r = await ctx.backend.searchImages(term, limit ? Number(limit) : undefined, registryAuth(ctx.req));
  sendJson(resOf(ctx), 200, r.map((s) => ({ name: s.name, description: s.description, star_count: s.stars, is_official: s.official, is_automated: false })));
};

export const pruneImages: Handler = async (ctx) => {
  const f = filters(ctx.q);
  // dangling=false means every unused image (`docker image prune -a`)
  const all = f.dangling?.some((v) => v === 'false' || v === '0') ?? false;
  const r = await ctx.backend.pruneImages(all);
  sendJson(resOf(ctx), 200, {
    ImagesDeleted: [...r.untagged.map((u) => ({ Untagged: u })), ...r.deleted.map((d) => ({ Deleted: d }))],
    SpaceReclaimed: r.reclaimed,
  });
};
