import { TRPCClientError } from '@trpc/client';
import { parseArgs, parseIntFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { ago, shortId, table, truncate } from '../format';
import { renderTemplate } from '../go-template';
import { LogDemux } from '../log-demux';
import { logTimeHint, parseLogTime, type ContainerSummary, type HealthState } from '@berth/shared';

export async function ps(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, [
    { long: 'all', short: 'a', type: 'bool' },
    { long: 'quiet', short: 'q', type: 'bool' },
    { long: 'no-trunc', type: 'bool' },
    { long: 'filter', short: 'f', type: 'list' },
    { long: 'format', type: 'string' },
  ]);
  const filters = ((flags.filter as string[] | undefined) ?? []).map(parsePsFilter);
  // a status filter other than running looks at stopped containers too, as in Docker
  const all = flags.all === true || filters.some((f) => f.key === 'status' && f.value !== 'running');
  const list = (await ctx.client().trpc.containers.list.query({ all })).filter((c) => matchPsFilters(c, filters));
  if (typeof flags.format === 'string' && !flags.quiet) {
    let fmt = flags.format;
    const asTable = /^table\s/.test(fmt);
    if (asTable) fmt = fmt.replace(/^table\s+/, '');
    const rows = list.map((c) => renderTemplate(fmt, psView(c, flags['no-trunc'] === true)));
    if (asTable) {
      const header = renderTemplate(fmt.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_m, f: string) => PS_HEADERS[f.toLowerCase()] ?? f.toUpperCase()), {});
      ctx.out(table(header.split('\t'), rows.map((r) => r.split('\t'))));
    } else ctx.out(rows.map((r) => r + '\n').join(''));
    return 0;
  }
  if (flags.quiet) {
    ctx.out(list.map((c) => (flags['no-trunc'] ? c.id : shortId(c.id)) + '\n').join(''));
    return 0;
  }
  const nt = flags['no-trunc'] === true;
  ctx.out(
    table(
      ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
      list.map((c) => [
        nt ? c.id : shortId(c.id),
        c.image,
        JSON.stringify(nt ? c.command : truncate(c.command, 20)),
        ago(c.createdAt),
        c.status,
        (c.ports ?? []).map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(', '),
        c.name,
      ]),
    ),
  );
  return 0;
}

/** Runs one call per named container, printing the name on success like Docker; rc 1 if any failed. */
export async function each(ctx: CliContext, names: string[], usage: string, fn: (id: string) => Promise<unknown>): Promise<number> {
  if (names.length === 0) throw new UsageError(usage);
  let rc = 0;
  for (const n of names) {
    try {
      await fn(n);
      ctx.out(`${n}\n`);
    } catch (e) {
      ctx.err(`Error response from agent: ${(e as Error).message}\n`);
      rc = 1;
    }
  }
  return rc;
}

export async function start(ctx: CliContext, argv: string[]) {
  const { positionals } = parseArgs(argv, []);
  return each(ctx, positionals, 'usage: berth start CONTAINER [CONTAINER...]', (id) => ctx.client().trpc.containers.start.mutate({ id }));
}

export async function stop(ctx: CliContext, argv: string[]) {
  const { flags, positionals } = parseArgs(argv, [{ long: 'time', short: 't', type: 'string' }]);
  const timeout = flags.time !== undefined ? parseIntFlag(flags.time as string, '--time') : undefined;
  return each(ctx, positionals, 'usage: berth stop [-t SECONDS] CONTAINER [CONTAINER...]', (id) => ctx.client().trpc.containers.stop.mutate({ id, timeout }));
}

export async function restart(ctx: CliContext, argv: string[]) {
  const { flags, positionals } = parseArgs(argv, [{ long: 'time', short: 't', type: 'string' }]);
  const timeout = flags.time !== undefined ? parseIntFlag(flags.time as string, '--time') : undefined;
  return each(ctx, positionals, 'usage: berth restart [-t SECONDS] CONTAINER [CONTAINER...]', (id) => ctx.client().trpc.containers.restart.mutate({ id, timeout }));
}

export async function kill(ctx: CliContext, argv: string[]) {
  const { flags, positionals } = parseArgs(argv, [{ long: 'signal', short: 's', type: 'string' }]);
  return each(ctx, positionals, 'usage: berth kill [-s SIGNAL] CONTAINER [CONTAINER...]', (id) =>
    ctx.client().trpc.containers.kill.mutate({ id, signal: flags.signal as string | undefined }),
  );
}

export async function rm(ctx: CliContext, argv: string[]) {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'force', short: 'f', type: 'bool' },
    { long: 'volumes', short: 'v', type: 'bool' },
  ]);
  return each(ctx, positionals, 'usage: berth rm [-f] [-v] CONTAINER [CONTAINER...]', (id) =>
    ctx.client().trpc.containers.remove.mutate({ id, force: flags.force === true, volumes: flags.volumes === true }),
  );
}

export async function wait(ctx: CliContext, argv: string[]) {
  const { positionals } = parseArgs(argv, []);
  if (positionals.length === 0) throw new UsageError('usage: berth wait CONTAINER');
  let last = 0;
  for (const id of positionals) {
    const r = await ctx.client().trpc.containers.wait.mutate({ id });
    ctx.out(`${r.exitCode}\n`);
    last = r.exitCode;
  }
  return last === 0 ? 0 : 0;
}

/** inspect CONTAINER|IMAGE...: containers first, then images, like `docker inspect`. */
export async function inspect(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'type', type: 'string' },
    { long: 'format', short: 'f', type: 'string' },
  ]);
  if (positionals.length === 0) throw new UsageError('usage: berth inspect [--type container|image] [-f TEMPLATE] NAME|ID [NAME|ID...]');
  const type = flags.type as string | undefined;
  if (type && type !== 'container' && type !== 'image') throw new UsageError(`invalid value "${type}" for flag --type: want container or image`);
  const out: unknown[] = [];
  let rc = 0;
  for (const name of positionals) {
    try {
      out.push(await inspectOne(ctx, name, type));
    } catch (e) {
      ctx.err(`Error: ${(e as Error).message}\n`);
      rc = 1;
    }
  }
  if (typeof flags.format === 'string') {
    const fmt = flags.format;
    ctx.out(out.map((o) => renderTemplate(fmt, dockerView(o as Record<string, unknown>)) + '\n').join(''));
    return rc;
  }
  ctx.out(JSON.stringify(out, null, 4) + '\n');
  return rc;
}

/** Our inspect JSON plus Docker's names for templates: .State.Status, .Name, .Id, .HostConfig... */
function dockerView(o: Record<string, unknown>): Record<string, unknown> {
  if (typeof o.state !== 'string') return o; // an image
  return {
    ...o,
    Id: o.id,
    Name: `/${o.name as string}`,
    State: {
      Status: o.paused ? 'paused' : o.state,
      Running: o.state === 'running',
      Paused: o.paused === true,
      ExitCode: o.exitCode ?? 0,
      Pid: o.pid ?? 0,
      StartedAt: o.startedAt,
      FinishedAt: o.finishedAt,
      OOMKilled: o.oomKilled,
      ...(o.health ? { Health: dockerHealth(o.health as HealthState) } : {}),
    },
  };
}

/** Docker's State.Health: {{.State.Health.Status}} */
function dockerHealth(h: HealthState) {
  return { Status: h.status, FailingStreak: h.failingStreak, Log: h.log.map((l) => ({ Start: l.start, End: l.end, ExitCode: l.exitCode, Output: l.output })) };
}

async function inspectOne(ctx: CliContext, name: string, type?: string) {
  const trpc = ctx.client().trpc;
  if (type !== 'image') {
    try {
      return await trpc.containers.inspect.query({ id: name });
    } catch (e) {
      if (type === 'container' || !isNotFound(e)) throw e;
    }
  }
  try {
    return await trpc.images.inspect.query({ ref: name });
  } catch (e) {
    if (isNotFound(e) && !type) throw new Error(`no such object: ${name}`);
    throw e;
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof TRPCClientError && (e.data as { code?: string } | undefined)?.code === 'NOT_FOUND';
}

export async function logs(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'follow', short: 'f', type: 'bool' },
    { long: 'tail', short: 'n', type: 'string' },
    { long: 'timestamps', short: 't', type: 'bool' },
    { long: 'since', type: 'string' },
    { long: 'until', type: 'string' },
    { long: 'details', type: 'bool' }, // Docker's log-opt attrs: Berth has none, so nothing is added
  ]);
  if (positionals.length !== 1) throw new UsageError('usage: berth logs [-f] [--tail N] [-t] [--since TIME] [--until TIME] [--details] CONTAINER');
  const tailRaw = flags.tail as string | undefined;
  const tail = tailRaw === undefined || tailRaw === 'all' ? undefined : parseIntFlag(tailRaw, '--tail');
  const ts = flags.timestamps === true;
  // one HTTP stream in Docker's multiplexed framing: fast for big logs, and -f simply stays open
  const q = new URLSearchParams({ follow: flags.follow === true ? '1' : '0', timestamps: ts ? '1' : '0' });
  if (tail !== undefined) q.set('tail', String(tail));
  // relative times (10m) count back from this machine's clock, as in Docker's CLI
  for (const key of ['since', 'until'] as const) {
    const v = flags[key] as string | undefined;
    if (v === undefined) continue;
    const t = parseLogTime(v);
    if (t === undefined) throw new UsageError(`invalid value "${v}" for flag --${key}: ${logTimeHint}`);
    q.set(key, t);
  }
  const body = await ctx.client().download(`/v1/containers/${encodeURIComponent(positionals[0])}/logs?${q}`);
  const demux = new LogDemux((b) => ctx.out(b), (b) => ctx.err(b));
  for await (const chunk of body as AsyncIterable<Buffer>) demux.push(chunk);
  return 0;
}

// ---- ps --filter / --format (issue 6) ---------------------------------------------------------
const PS_HEADERS: Record<string, string> = { id: 'CONTAINER ID', names: 'NAMES', image: 'IMAGE', command: 'COMMAND', status: 'STATUS', state: 'STATE', createdat: 'CREATED AT', ports: 'PORTS', labels: 'LABELS' };

export function parsePsFilter(f: string): { key: string; value: string } {
  const i = f.indexOf('=');
  if (i <= 0) throw new UsageError(`bad format of filter "${f}": want KEY=VALUE`);
  const key = f.slice(0, i).toLowerCase();
  if (!['status', 'name', 'label', 'ancestor', 'id', 'exited', 'health'].includes(key)) throw new UsageError(`invalid filter '${key}'`);
  const value = f.slice(i + 1);
  if (key === 'health' && !['starting', 'healthy', 'unhealthy', 'none'].includes(value))
    throw new UsageError(`invalid filter 'health=${value}': want starting, healthy, unhealthy or none`);
  return { key, value: f.slice(i + 1) };
}

/** Docker's rules: filters with the same key OR together, different keys AND. */
export function matchPsFilters(c: ContainerSummary, filters: { key: string; value: string }[]): boolean {
  const byKey = new Map<string, string[]>();
  for (const f of filters) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f.value]);
  for (const [key, values] of byKey) {
    const ok = values.some((v) => {
      switch (key) {
        case 'status':
          return (c.paused ? 'paused' : c.state) === v;
        case 'name':
          return new RegExp(v).test(c.name);
        case 'id':
          return c.id.startsWith(v);
        case 'exited':
          return c.state === 'exited' && String(c.exitCode) === v;
        case 'health':
          return (c.healthStatus ?? 'none') === v;
        case 'label': {
          const i = v.indexOf('=');
          const labels = c.labels ?? {};
          return i < 0 ? v in labels : labels[v.slice(0, i)] === v.slice(i + 1);
        }
        case 'ancestor': {
          const bare = (s: string) => s.replace(/:latest$/, '');
          return bare(c.image) === bare(v) || c.imageId.replace(/^sha256:/, '').startsWith(v.replace(/^sha256:/, ''));
        }
      }
      return false;
    });
    if (!ok) return false;
  }
  return true;
}

function psView(c: ContainerSummary, noTrunc: boolean) {
  return {
    ID: noTrunc ? c.id : shortId(c.id),
    Names: c.name,
    Image: c.image,
    Command: JSON.stringify(noTrunc ? c.command : truncate(c.command, 20)),
    CreatedAt: c.createdAt,
    Status: c.status,
    State: c.paused ? 'paused' : c.state,
    Ports: (c.ports ?? []).map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(', '),
    Labels: Object.entries(c.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  };
}
