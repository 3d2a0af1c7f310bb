// GET /events: container events from the engine's event bus (create, start, die, stop, kill,
// destroy, pause, unpause, rename, update; `since` replays the kept recent ones); image events
// (tag, untag, delete) from polling the image list every 250 ms, so they start now.
import type { ImageSummary } from '@berth/shared';
import type { Handler } from './context';
import { resOf } from './containers';
import { filters } from './http-util';

const POLL_MS = 250;

interface DockerEvent {
  Type: 'container' | 'image';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

export function diffImages(prev: Map<string, ImageSummary>, cur: Map<string, ImageSummary>): DockerEvent[] {
  const out: DockerEvent[] = [];
  const ev = (id: string, Action: string, name: string): DockerEvent => ({ Type: 'image', Action, Actor: { ID: id, Attributes: { name } } });
  for (const [id, i] of cur) {
    const before = new Set(prev.get(id)?.repoTags ?? []);
    for (const t of i.repoTags) if (!before.has(t)) out.push(ev(id, 'tag', t));
    for (const t of before) if (!i.repoTags.includes(t)) out.push(ev(id, 'untag', t));
  }
  for (const [id, p] of prev) {
    if (cur.has(id)) continue;
    for (const t of p.repoTags) out.push(ev(id, 'untag', t));
    out.push(ev(id, 'delete', p.repoTags[0] ?? id));
  }
  return out;
}

/** Docker's since/until: unix seconds (fractions allowed) or an RFC 3339 time. */
export function eventTime(v: string | null): number | undefined {
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.floor(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

export const streamEvents: Handler = async (ctx) => {
  const res = resOf(ctx);
  const f = filters(ctx.q);
  const since = eventTime(ctx.q.get('since'));
  const until = eventTime(ctx.q.get('until'));
  const snapshotImages = async () => new Map((await ctx.backend.listImages()).map((i) => [i.id, i]));
  let prevImages = await snapshotImages();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.flushHeaders();
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const wanted = (e: DockerEvent) =>
    (!f.type || f.type.includes(e.Type)) &&
    (!f.event || f.event.includes(e.Action)) &&
    (!f.container || (e.Type === 'container' && f.container.some((v) => e.Actor.ID.startsWith(v) || e.Actor.Attributes.name === v))) &&
    (!f.image || f.image.some((v) => e.Actor.Attributes.image === v || e.Actor.Attributes.name === v));
  const send = (e: DockerEvent, ms: number) => {
    if (!wanted(e) || res.writableEnded) return;
    const body = { status: e.Action, id: e.Actor.ID, from: e.Actor.Attributes.image, ...e, scope: 'local', time: Math.floor(ms / 1000), timeNano: ms * 1_000_000 };
    res.write(JSON.stringify(body) + '\n');
  };
  // container events come from the engine's event bus (with its kept history for --since);
  // image events are the differences between polls of the image list
  const containers = (async () => {
    for await (const e of ctx.backend.events({ sinceMs: since, untilMs: until }, abort.signal)) {
      send({ Type: 'container', Action: e.action, Actor: { ID: e.id, Attributes: e.attributes } }, e.timeMs);
    }
  })().catch(() => {});
  const images = (async () => {
    while (!abort.signal.aborted && (until === undefined || Date.now() < until)) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      try {
        const cur = await snapshotImages();
        for (const e of diffImages(prevImages, cur)) send(e, Date.now());
        prevImages = cur;
      } catch {
        /* the next poll tries again */
      }
    }
  })();
  await Promise.all([containers, images]);
  abort.abort();
  res.end();
};
