// `berth volume create|ls|inspect|rm|prune`, as Docker prints them.
import { parseArgs, UsageError } from '../args';
import type { CliContext } from '../context';
import { humanSize, table } from '../format';

async function create(ctx: CliContext, argv: string[]) {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'name', type: 'string' },
    { long: 'label', type: 'list' },
    { long: 'driver', short: 'd', type: 'string' },
  ]);
  if (positionals.length > 1) throw new UsageError('usage: berth volume create [NAME]');
  if (flags.driver !== undefined && flags.driver !== 'local') throw new UsageError(`volume driver "${String(flags.driver)}" is not supported: want local`);
  const labels: Record<string, string> = {};
  for (const l of (flags.label as string[] | undefined) ?? []) {
    const i = l.indexOf('=');
    labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }
  const v = await ctx.client().trpc.volumes.create.mutate({ name: (positionals[0] ?? flags.name) as string | undefined, labels });
  ctx.out(`${v.name}\n`);
  return 0;
}

async function ls(ctx: CliContext, argv: string[]) {
  const { flags } = parseArgs(argv, [{ long: 'quiet', short: 'q', type: 'bool' }]);
  const list = await ctx.client().trpc.volumes.list.query();
  if (flags.quiet) {
    ctx.out(list.map((v) => v.name + '\n').join(''));
    return 0;
  }
  ctx.out(table(['DRIVER', 'VOLUME NAME', 'USED BY'], list.map((v) => [v.driver, v.name, v.usedBy.map((u) => u.name).join(',')])));
  return 0;
}

async function inspect(ctx: CliContext, argv: string[]) {
  const { positionals } = parseArgs(argv, []);
  if (!positionals.length) throw new UsageError('usage: berth volume inspect VOLUME [VOLUME...]');
  const out = [];
  for (const name of positionals) out.push(await ctx.client().trpc.volumes.inspect.query({ name }));
  ctx.out(JSON.stringify(out, null, 2) + '\n');
  return 0;
}

async function rm(ctx: CliContext, argv: string[]) {
  const { flags, positionals } = parseArgs(argv, [{ long: 'force', short: 'f', type: 'bool' }]);
  if (!positionals.length) throw new UsageError('usage: berth volume rm [-f] VOLUME [VOLUME...]');
  let rc = 0;
  for (const name of positionals) {
    try {
      await ctx.client().trpc.volumes.remove.mutate({ name, force: flags.force === true });
      ctx.out(`${name}\n`);
    } catch (e) {
      ctx.err(`Error response from agent: ${(e as Error).message}\n`);
      rc = 1;
    }
  }
  return rc;
}

async function prune(ctx: CliContext, argv: string[]) {
  const { flags } = parseArgs(argv, [
    { long: 'all', short: 'a', type: 'bool' },
    { long: 'force', short: 'f', type: 'bool' },
  ]);
  const r = await ctx.client().trpc.volumes.prune.mutate({ all: flags.all === true });
  if (r.removed.length) ctx.out(`Deleted Volumes:\n${r.removed.join('\n')}\n\n`);
  ctx.out(`Total reclaimed space: ${humanSize(r.reclaimedBytes)}\n`);
  return 0;
}

export const volumeCommands = { create, ls, list: ls, inspect, rm, remove: rm, prune };
