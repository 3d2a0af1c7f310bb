// `berth system df` (and `berth info`): disk use by images, containers and volumes, as Docker shows it.
import { parseArgs, UsageError } from '../args';
import type { CliContext } from '../context';
import { humanSize, table } from '../format';

export async function systemDf(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, []);
  if (positionals.length) throw new UsageError('usage: berth system df');
  const d = await ctx.client().trpc.system.df.query();
  const reclaim = (r: { size: number; reclaimable: number }) => `${humanSize(r.reclaimable)}${r.size > 0 ? ` (${Math.round((r.reclaimable / r.size) * 100)}%)` : ''}`;
  const row = (name: string, r: { total: number; active: number; size: number; reclaimable: number }) => [name, String(r.total), String(r.active), humanSize(r.size), reclaim(r)];
  ctx.out(table(['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'], [row('Images', d.images), row('Containers', d.containers), row('Local Volumes', d.volumes)]));
  return 0;
}

export const systemCommands = {
  df: systemDf,
  info: async (ctx: CliContext) => {
    ctx.out(JSON.stringify(await ctx.client().trpc.system.info.query(), null, 2) + '\n');
    return 0;
  },
};
