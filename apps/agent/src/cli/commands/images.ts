import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { parseArgs, UsageError } from '../args';
import type { CliContext } from '../context';
import { ago, humanSize, shortId, table } from '../format';

export async function images(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, [
    { long: 'quiet', short: 'q', type: 'bool' },
    { long: 'no-trunc', type: 'bool' },
  ]);
  const list = await ctx.client().trpc.images.list.query();
  if (flags.quiet) {
    ctx.out(list.map((i) => (flags['no-trunc'] ? i.id : shortId(i.id)) + '\n').join(''));
    return 0;
  }
  const rows: string[][] = [];
  for (const img of list) {
    const tags = img.repoTags.length ? img.repoTags : ['<none>:<none>'];
    for (const t of tags) {
      const i = t.lastIndexOf(':');
      rows.push([t.slice(0, i), t.slice(i + 1), flags['no-trunc'] ? img.id : shortId(img.id), ago(img.created), humanSize(img.size)]);
    }
  }
  ctx.out(table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows));
  return 0;
}

export async function load(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, [
    { long: 'input', short: 'i', type: 'string' },
    { long: 'quiet', short: 'q', type: 'bool' },
  ]);
  const input = flags.input as string | undefined;
  const body = await openInput(input, 'load');
  const res = (await ctx.client().upload('/v1/images/load', body)) as { loaded: { id: string; tags: string[] }[] };
  for (const l of res.loaded) {
    if (l.tags.length) for (const t of l.tags) ctx.out(`Loaded image: ${t}\n`);
    else ctx.out(`Loaded image ID: ${l.id}\n`);
  }
  return 0;
}

export async function importCmd(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [{ long: 'change', short: 'c', type: 'list' }]);
  if (positionals.length !== 2) throw new UsageError('usage: berth import [-c "CMD [\\"/bin/sh\\"]"] FILE|- REPOSITORY[:TAG]');
  const [file, ref] = positionals;
  let cmd: string[] | undefined;
  for (const ch of (flags.change as string[] | undefined) ?? []) {
    const m = /^CMD\s+(.*)$/i.exec(ch.trim());
    if (!m) throw new UsageError(`unsupported --change "${ch}": only CMD is supported`);
    try {
      const v: unknown = JSON.parse(m[1]);
      cmd = Array.isArray(v) ? v.map(String) : ['/bin/sh', '-c', m[1]];
    } catch {
      cmd = ['/bin/sh', '-c', m[1]];
    }
  }
  const body = await openInput(file === '-' ? undefined : file, 'import');
  const q = new URLSearchParams({ ref });
  if (cmd) q.set('cmd', JSON.stringify(cmd));
  const res = (await ctx.client().upload(`/v1/images/import?${q}`, body)) as { id: string };
  ctx.out(`${res.id}\n`);
  return 0;
}

async function openInput(file: string | undefined, verb: string) {
  if (!file) {
    if (process.stdin.isTTY) throw new UsageError(`${verb}: give a file with -i FILE, or pipe a tar into standard input`);
    return process.stdin;
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UsageError(`${verb}: no such file: ${file}`);
  }
  if (st.isDirectory()) {
    // an OCI layout directory: send it as a tar
    const tar = spawn('tar', ['-C', file, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    return tar.stdout;
  }
  return fs.createReadStream(file);
}

export async function rmi(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [{ long: 'force', short: 'f', type: 'bool' }]);
  if (positionals.length === 0) throw new UsageError('usage: berth rmi [-f] IMAGE [IMAGE...]');
  let rc = 0;
  for (const ref of positionals) {
    try {
      const res = await ctx.client().trpc.images.remove.mutate({ ref, force: flags.force === true });
      for (const u of res.untagged) ctx.out(`Untagged: ${u}\n`);
      for (const d of res.deleted) ctx.out(`Deleted: ${d}\n`);
    } catch (e) {
      ctx.err(`Error: ${(e as Error).message}\n`);
      rc = 1;
    }
  }
  return rc;
}
