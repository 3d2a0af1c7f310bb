// The container's filesystem as a whole: `berth diff` (changes against the image) and
// `berth export` (a tar of the merged root, volumes left out, like `docker export`).
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseArgs, UsageError } from '../args';
import type { CliContext } from '../context';

export async function diff(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, []);
  if (positionals.length !== 1) throw new UsageError('usage: berth diff CONTAINER');
  const changes = await ctx.client().trpc.containers.changes.query({ id: positionals[0] });
  ctx.out(changes.map((c) => `${c.kind} ${c.path}\n`).join(''));
  return 0;
}

export async function exportCmd(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [{ long: 'output', short: 'o', type: 'string' }]);
  if (positionals.length !== 1) throw new UsageError('usage: berth export [-o FILE] CONTAINER');
  const file = flags.output as string | undefined;
  if (!file && process.stdout.isTTY) throw new UsageError('cowardly refusing to write a tar to a terminal: use -o FILE or redirect the output');
  const body = await ctx.client().download(`/v1/containers/${encodeURIComponent(positionals[0])}/export`);
  const tmp = file ? `${file}.berth-partial` : undefined;
  try {
    await pipeline(body, tmp ? fs.createWriteStream(tmp) : process.stdout);
    if (tmp && file) fs.renameSync(tmp, file);
  } catch (e) {
    if (tmp) fs.rmSync(tmp, { force: true });
    throw e;
  }
  return 0;
}
