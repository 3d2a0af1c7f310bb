// Lifecycle extras (issue 6): pause/unpause (cgroup freezer), rename, container prune, top, stats.
import os from 'node:os';
import { parseArgs, parseBytes, parseCpus, parseIntFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { humanSize, shortId, table } from '../format';
import { parseDetachKeys, runTerminalSession, windowSize } from '../terminal-session';
import { parseMemorySwap, parseRestartPolicy } from './run';
import { renderTemplate } from '../go-template';
import { each } from './containers';
import type { UpdateSpec } from '@berth/shared';

export async function pause(ctx: CliContext, argv: string[]) {
  const { positionals } = parseArgs(argv, []);
  return each(ctx, positionals, 'usage: berth pause CONTAINER [CONTAINER...]', (id) => ctx.client().trpc.containers.pause.mutate({ id }));
}

export async function unpause(ctx: CliContext, argv: string[]) {
  const { positionals } = parseArgs(argv, []);
  return each(ctx, positionals, 'usage: berth unpause CONTAINER [CONTAINER...]', (id) => ctx.client().trpc.containers.unpause.mutate({ id }));
}

export async function rename(ctx: CliContext, argv: string[]) {
  const { positionals } = parseArgs(argv, []);
  if (positionals.length !== 2) throw new UsageError('usage: berth rename CONTAINER NEW_NAME');
  await ctx.client().trpc.containers.rename.mutate({ id: positionals[0], name: positionals[1] });
  return 0;
}

export async function containerPrune(ctx: CliContext, argv: string[]) {
  const { flags } = parseArgs(argv, [{ long: 'force', short: 'f', type: 'bool' }]);
  void flags; // no prompt: like `docker container prune -f`
  const r = await ctx.client().trpc.containers.prune.mutate();
  ctx.out(r.deleted.length ? `Deleted Containers:\n${r.deleted.map((d) => d + '\n').join('')}\n` : '');
  ctx.out(`Total reclaimed space: 0B\n`);
  return 0;
}

/** `berth update`: new limits (applied to a running container at once) and restart policy. */
export async function update(ctx: CliContext, argv: string[]) {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'memory', short: 'm', type: 'string' },
    { long: 'memory-swap', type: 'string' },
    { long: 'cpus', type: 'string' },
    { long: 'pids-limit', type: 'string' },
    { long: 'restart', type: 'string' },
  ]);
  const usage = 'usage: berth update [--memory SIZE] [--memory-swap SIZE|-1] [--cpus N] [--pids-limit N] [--restart POLICY] CONTAINER [CONTAINER...]';
  const spec: UpdateSpec = {
    ...(flags.memory !== undefined ? { memoryBytes: parseBytes(flags.memory as string, '--memory') } : {}),
    ...(flags['memory-swap'] !== undefined ? { memorySwapBytes: parseMemorySwap(flags['memory-swap'] as string) } : {}),
    ...(flags.cpus !== undefined ? { nanoCpus: parseCpus(flags.cpus as string, '--cpus') } : {}),
    ...(flags['pids-limit'] !== undefined ? { pidsLimit: parseIntFlag(flags['pids-limit'] as string, '--pids-limit', 1) } : {}),
    ...(flags.restart !== undefined ? { restartPolicy: parseRestartPolicy(flags.restart as string) } : {}),
  };
  if (Object.keys(spec).length === 0) throw new UsageError(`you must provide one or more flags: ${usage}`);
  return each(ctx, positionals, usage, (id) => ctx.client().trpc.containers.update.mutate({ id, spec }));
}

export async function top(ctx: CliContext, argv: string[]) {
  const { positionals } = parseArgs(argv, []);
  if (positionals.length < 1) throw new UsageError('usage: berth top CONTAINER');
  const r = await ctx.client().trpc.containers.top.query({ id: positionals[0] });
  ctx.out(table(r.titles, r.processes));
  return 0;
}

/** Docker's binary sizes: "1.5MiB". */
export function binSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? Math.round(v) : v.toFixed(v < 10 ? 3 : v < 100 ? 2 : 1).replace(/\.?0+$/, '')}${units[u]}`;
}

const STATS_HEADERS: Record<string, string> = {
  id: 'CONTAINER ID',
  container: 'CONTAINER',
  name: 'NAME',
  cpuperc: 'CPU %',
  memusage: 'MEM USAGE / LIMIT',
  memperc: 'MEM %',
  netio: 'NET I/O',
  blockio: 'BLOCK I/O',
  pids: 'PIDS',
};

export async function stats(ctx: CliContext, argv: string[]) {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'no-stream', type: 'bool' },
    { long: 'all', short: 'a', type: 'bool' },
    { long: 'no-trunc', type: 'bool' },
    { long: 'format', type: 'string' },
  ]);
  const client = ctx.client();
  const format = flags.format as string | undefined;
  const render = async () => {
    const list = await client.trpc.containers.list.query({ all: flags.all === true });
    const wanted = positionals.length
      ? positionals.map((p) => {
          const c = list.find((x) => x.name === p || x.id === p || x.id.startsWith(p));
          if (!c) throw new UsageError(`no such container: ${p}`);
          return c;
        })
      : list;
    const samples = await client.trpc.containers.statsAll.query();
    // Docker's field names, for --format '{{.Name}} {{.CPUPerc}}' and `table ...`
    const views = wanted.map((c) => {
      const s = samples[c.id];
      const id = flags['no-trunc'] ? c.id : shortId(c.id);
      if (!s) return { ID: id, Container: id, Name: c.name, CPUPerc: '0.00%', MemUsage: '0B / 0B', MemPerc: '0.00%', NetIO: '--', BlockIO: '--', PIDs: '0' };
      const limit = s.memoryLimitBytes ?? os.totalmem();
      return {
        ID: id,
        Container: id,
        Name: c.name,
        CPUPerc: `${s.cpuPercent.toFixed(2)}%`,
        MemUsage: `${binSize(s.memoryBytes)} / ${binSize(limit)}`,
        MemPerc: `${limit ? ((s.memoryBytes / limit) * 100).toFixed(2) : '0.00'}%`,
        NetIO: s.netRxBytes !== undefined ? `${humanSize(s.netRxBytes)} / ${humanSize(s.netTxBytes ?? 0)}` : '--',
        BlockIO: s.blockReadBytes !== undefined ? `${humanSize(s.blockReadBytes)} / ${humanSize(s.blockWriteBytes ?? 0)}` : '--',
        PIDs: String(s.pids),
      };
    });
    if (format) {
      const asTable = /^table\s/.test(format);
      const fmt = asTable ? format.replace(/^table\s+/, '') : format;
      const rows = views.map((v) => renderTemplate(fmt, v));
      if (!asTable) return rows.map((r) => r + '\n').join('');
      const header = renderTemplate(fmt.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_m, f: string) => STATS_HEADERS[f.toLowerCase()] ?? f.toUpperCase()), {});
      return table(header.split('\t'), rows.map((r) => r.split('\t')));
    }
    return table(
      ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'],
      views.map((v) => [v.ID, v.Name, v.CPUPerc, v.MemUsage, v.MemPerc, v.NetIO, v.BlockIO, v.PIDs]),
    );
  };
  // the agent computes CPU % between two samples: prime it, then read
  await client.trpc.containers.statsAll.query();
  await new Promise((r) => setTimeout(r, 500));
  if (flags['no-stream']) {
    ctx.out(await render());
    return 0;
  }
  for (;;) {
    const out = await render();
    ctx.out(`\x1b[2J\x1b[H${out}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** `berth attach`: the container's own stdio; ctrl-p ctrl-q (or --detach-keys) detaches. */
export async function attach(ctx: CliContext, argv: string[]) {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'no-stdin', type: 'bool' },
    { long: 'detach-keys', type: 'string' },
    { long: 'sig-proxy', type: 'bool' },
  ]);
  if (positionals.length !== 1) throw new UsageError('usage: berth attach [--no-stdin] [--detach-keys KEYS] CONTAINER');
  const client = ctx.client();
  const info = await client.trpc.containers.inspect.query({ id: positionals[0] });
  if (info.state !== 'running') throw new UsageError(`you cannot attach to a stopped container, start it first`);
  const interactive = info.config.openStdin && flags['no-stdin'] !== true;
  const tty = info.config.tty;
  if (tty && interactive && !process.stdin.isTTY) throw new UsageError('the input device is not a TTY: use --no-stdin, or attach from a terminal');
  let detachKeys: number[];
  try {
    detachKeys = parseDetachKeys((flags['detach-keys'] as string | undefined) ?? 'ctrl-p,ctrl-q');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const ws = client.terminal(info.id, 'attach', { start: false, ...windowSize() });
  return runTerminalSession(ws, { tty, interactive, detachKeys });
}
