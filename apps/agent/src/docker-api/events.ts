// GET /events: the Backend has no event bus yet, so the stream is synthesized from its state:
// containers and images are polled every 250 ms and the differences become Docker's events
// (container create/start/die/destroy, image tag/untag/delete). No history: `since` starts now.
import type { ContainerSummary, ImageSummary } from '@berth/shared';
import type { Handler } from './context';
import { resOf } from './containers';
import { filters } from './http-util';

const POLL_MS = 250;

interface DockerEvent {
  Type: 'container' | 'image';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

export function diffContainers(prev: Map<string, ContainerSummary>, cur: Map<string, ContainerSummary>): DockerEvent[] {
  const out: DockerEvent[] = [];
  const ev = (c: ContainerSummary, Action: string, extra: Record<string, string> = {}): DockerEvent => ({
    Type: 'container',
    Action,
    Actor: { ID: c.id, Attributes: { image: c.image, name: c.name, ...extra } },
  });
  for (const [id, c] of cur) {
    const p = prev.get(id);
    if (!p) out.push(ev(c, 'create'));
    const wasRunning = p?.state === 'running';
    const restarted = p && c.startedAt !== p.startedAt && c.startedAt;
    if (wasRunning && (c.state !== 'running' || restarted)) out.push(ev(c, 'die', { exitCode: String(c.exitCode ?? 0) }));
    if (c.state === 'running' && (!wasRunning || restarted)) out.push(ev(c, 'start'));
    if (!wasRunning && c.state !== 'running' && p && c.finishedAt !== p.finishedAt && c.finishedAt) {
      // started and exited between two polls
      out.push(ev(c, 'start'), ev(c, 'die', { exitCode: String(c.exitCode ?? 0) }));
    }
  }
  for (const [id, p] of prev) {
    if (cur.has(id)) continue;
    if (p.state === 'running') out.push(ev(p, 'die', { exitCode: String(p.exitCode ?? 0) }));
    out.push(ev(p, 'destroy'));
  }
  return out;
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

export const streamEvents: Handler = async (ctx) => {
  const res = resOf(ctx);
  const f = filters(ctx.q);
  const untilRaw = ctx.q.get('until');
  const until = untilRaw ? Number(untilRaw) * 1000 : undefined;
  const snapshot = async () => {
    const [cs, is] = await Promise.all([ctx.backend.listContainers(true), ctx.backend.listImages()]);
    return { cs: new Map(cs.map((c) => [c.id, c])), is: new Map(is.map((i) => [i.id, i])) };
  };
  let prev = await snapshot();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.flushHeaders();
  let closed = false;
  res.on('close', () => (closed = true));
  const wanted = (e: DockerEvent) =>
    (!f.type || f.type.includes(e.Type)) &&
    (!f.event || f.event.includes(e.Action)) &&
    (!f.container || (e.Type === 'container' && f.container.some((v) => e.Actor.ID.startsWith(v) || e.Actor.Attributes.name === v))) &&
    (!f.image || f.image.some((v) => e.Actor.Attributes.image === v || e.Actor.Attributes.name === v));
  while (!closed) {
    if (until !== undefined && Date.now() >= until) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
    let cur;
    try {
      cur = await snapshot();
    } catch {
      continue;
    }
    const now = Date.now();
    for (const e of [...diffContainers(prev.cs, cur.cs), ...diffImages(prev.is, cur.is)]) {
      if (!wanted(e)) continue;
      const body = {
        status: e.Action,
        id: e.Actor.ID,
        from: e.Actor.Attributes.image,
        ...e,
        scope: 'local',
        time: Math.floor(now / 1000),
        timeNano: now * 1_000_000,
      };
      res.write(JSON.stringify(body) + '\n');
    }
    prev = cur;
  }
  res.end();
};
