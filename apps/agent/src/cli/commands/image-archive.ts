// tag, history, save, image prune: local image commands added with registry support.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs, UsageError } from '../args';
import type { CliContext } from '../context';
import { ago, humanSize, shortId, table, truncate } from '../format';

export async function tag(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, []);
  if (positionals.length !== 2) throw new UsageError('usage: berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]');
  await ctx.client().trpc.images.tag.mutate({ source: positionals[0]!, target: positionals[1]! });
  return 0;
}

export async function history(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'no-trunc', type: 'bool' },
    { long: 'quiet', short: 'q', type: 'bool' },
    { long: 'human', short: 'H', type: 'bool' },
  ]);
  if (positionals.length !== 1) throw new UsageError('usage: berth history [--no-trunc] [-q] IMAGE');
  const entries = await ctx.client().trpc.images.history.query({ ref: positionals[0]! });
  const full = flags['no-trunc'] === true;
  const id = (s: string) => (s === '<missing>' ? s : full ? s : shortId(s));
  if (flags.quiet) {
    ctx.out(entries.map((e) => id(e.id) + '\n').join(''));
    return 0;
  }
  ctx.out(
    table(
      ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'],
      entries.map((e) => [id(e.id), ago(e.created), full ? e.createdBy : truncate(e.createdBy.replace(/\s+/g, ' '), 45), humanSize(e.size), e.comment]),
    ),
  );
  return 0;
}

export async function save(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'output', short: 'o', type: 'string' },
    { long: 'format', type: 'string' },
  ]);
  if (positionals.length === 0) throw new UsageError('usage: berth save [-o FILE] [--format docker-archive|oci-archive] IMAGE...');
  const format = (flags.format as string | undefined) ?? 'docker-archive';
  if (format !== 'docker-archive' && format !== 'oci-archive') throw new UsageError(`invalid --format "${format}": want docker-archive or oci-archive`);
  const out = flags.output as string | undefined;
  if (!out && process.stdout.isTTY) throw new UsageError('cowardly refusing to save to a terminal: use -o FILE or redirect standard output');
  const q = new URLSearchParams({ format });
  for (const n of positionals) q.append('names', n);
  const body = await ctx.client().download(`/v1/images/save?${q}`);
  if (!out) {
    await pipeline(body, process.stdout);
    return 0;
  }
  // write next to the target and rename, so a failed save never leaves a short archive
  const tmp = path.join(path.dirname(path.resolve(out)), `.${path.basename(out)}.${process.pid}.tmp`);
  try {
    await pipeline(body, fs.createWriteStream(tmp, { mode: 0o644 }));
    fs.renameSync(tmp, out);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return 0;
}

export async function prune(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, [
    { long: 'all', short: 'a', type: 'bool' },
    { long: 'force', short: 'f', type: 'bool' },
  ]);
  const r = await ctx.client().trpc.images.prune.mutate({ all: flags.all === true });
  for (const u of r.untagged) ctx.out(`untagged: ${u}\n`);
  for (const d of r.deleted) ctx.out(`deleted: ${d}\n`);
  ctx.out(`Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
  return 0;
}
