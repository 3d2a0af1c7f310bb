// `berth network create|ls|inspect|rm|prune|connect|disconnect`, as Docker prints them.
import { parseArgs, UsageError } from '../args';
import type { CliContext } from '../context';
import { shortId, table } from '../format';

async function create(ctx: CliContext, argv: string[]) {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'subnet', type: 'string' },
    { long: 'gateway', type: 'string' },
    { long: 'driver', short: 'd', type: 'string' },
    { long: 'label', type: 'list' },
  ]);
  if (positionals.length !== 1) throw new UsageError('usage: berth network create [--subnet CIDR] [--gateway IP] NAME');
  if (flags.driver !== undefined && flags.driver !== 'bridge') throw new UsageError(`network driver "${String(flags.driver)}" is not supported: want bridge`);
  const labels: Record<string, string> = {};
  for (const l of (flags.label as string[] | undefined) ?? []) {
    const i = l.indexOf('=');
    labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }
  const n = await ctx.client().trpc.networks.create.mutate({
    name: positionals[0],
    subnet: flags.subnet as string | undefined,
    gateway: flags.gateway as string | undefined,
    labels,
  });
  ctx.out(`${n.id}\n`);
  return 0;
}

async function ls(ctx: CliContext, argv: string[]) {
  const { flags } = parseArgs(argv, [
    { long: 'quiet', short: 'q', type: 'bool' },
    { long: 'no-trunc', type: 'bool' },
  ]);
  const list = await ctx.client().trpc.networks.list.query();
  const id = (s: string) => (flags['no-trunc'] ? s : shortId(s));
  if (flags.quiet) {
    ctx.out(list.map((n) => id(n.id) + '\n').join(''));
    return 0;
  }
  ctx.out(table(['NETWORK ID', 'NAME', 'DRIVER', 'SUBNET', 'BRIDGE', 'CONTAINERS'], list.map((n) => [id(n.id), n.name, n.driver, n.subnet ?? '', n.bridge ?? '', String(n.containers)])));
  return 0;
}

async function inspect(ctx: CliContext, argv: string[]) {
  const { positionals } = parseArgs(argv, []);
  if (!positionals.length) throw new UsageError('usage: berth network inspect NETWORK [NETWORK...]');
  const out = [];
  for (const id of positionals) out.push(await ctx.client().trpc.networks.inspect.query({ id }));
  ctx.out(JSON.stringify(out, null, 2) + '\n');
  return 0;
}

async function rm(ctx: CliContext, argv: string[]) {
  const { positionals } = parseArgs(argv, []);
  if (!positionals.length) throw new UsageError('usage: berth network rm NETWORK [NETWORK...]');
  let rc = 0;
  for (const id of positionals) {
    try {
      await ctx.client().trpc.networks.remove.mutate({ id });
      ctx.out(`${id}\n`);
    } catch (e) {
      ctx.err(`Error response from agent: ${(e as Error).message}\n`);
      rc = 1;
    }
  }
  return rc;
}

async function prune(ctx: CliContext, argv: string[]) {
  parseArgs(argv, [{ long: 'force', short: 'f', type: 'bool' }]);
  const r = await ctx.client().trpc.networks.prune.mutate();
  if (r.removed.length) ctx.out(`Deleted Networks:\n${r.removed.join('\n')}\n`);
  return 0;
}

async function connect(ctx: CliContext, argv: string[]) {
  const { flags, positionals } = parseArgs(argv, [{ long: 'alias', type: 'list' }]);
  if (positionals.length !== 2) throw new UsageError('usage: berth network connect [--alias NAME] NETWORK CONTAINER');
  await ctx.client().trpc.networks.connect.mutate({ network: positionals[0], container: positionals[1], aliases: (flags.alias as string[] | undefined) ?? [] });
  return 0;
}

async function disconnect(ctx: CliContext, argv: string[]) {
  const { positionals } = parseArgs(argv, [{ long: 'force', short: 'f', type: 'bool' }]);
  if (positionals.length !== 2) throw new UsageError('usage: berth network disconnect NETWORK CONTAINER');
  await ctx.client().trpc.networks.disconnect.mutate({ network: positionals[0], container: positionals[1] });
  return 0;
}

export const networkCommands = { create, ls, list: ls, inspect, rm, remove: rm, prune, connect, disconnect };
