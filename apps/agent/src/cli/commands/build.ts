// `berth build` (the context, minus .dockerignore'd paths, tarred by GNU tar and streamed to the
// agent; progress comes back as JSON lines) and `berth commit`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, UsageError } from '../args';
import type { CliContext } from '../context';
import { AgentError, localEndpoint } from '../../client';
import { isIgnored, parseDockerignore, type IgnoreRule } from '@berth/shared';

/** Relative paths of the context to send, directories before their contents. */
function contextFiles(dir: string, rules: IgnoreRule[], keep: Set<string>): string[] {
  const out: string[] = [];
  const hasNegations = rules.some((r) => r.negate);
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const ignored = isIgnored(r, rules) && !keep.has(r);
      const st = fs.lstatSync(path.join(dir, r));
      if (!ignored) out.push(r);
      if (st.isDirectory() && (!ignored || hasNegations)) walk(r);
    }
  };
  walk('');
  return out;
}

export async function build(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'tag', short: 't', type: 'list' },
    { long: 'file', short: 'f', type: 'string' },
    { long: 'build-arg', type: 'list' },
    { long: 'no-cache', type: 'bool' },
    { long: 'target', type: 'string' },
    { long: 'quiet', short: 'q', type: 'bool' },
    { long: 'platform', type: 'string' },
    { long: 'network', type: 'string' },
  ]);
  if (positionals.length !== 1) throw new UsageError('usage: berth build [-t NAME:TAG]... [-f Dockerfile] [--build-arg K=V]... [--no-cache] [--target STAGE] [--network bridge|none|host] CONTEXT');
  const network = (flags.network as string | undefined) ?? 'bridge';
  if (!['bridge', 'default', 'none', 'host'].includes(network)) throw new UsageError(`--network ${network}: a build's RUN steps use bridge (the default), none or host`);
  const platform = flags.platform as string | undefined;
  if (platform && platform !== 'linux/amd64') throw new UsageError(`--platform ${platform}: only linux/amd64 is supported`);
  const dir = path.resolve(positionals[0]!);
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`build context ${positionals[0]} is not a directory`);
  const dfHost = path.resolve(dir, (flags.file as string | undefined) ?? 'Dockerfile');
  const dfRel = path.relative(dir, dfHost);
  if (dfRel.startsWith('..') || path.isAbsolute(dfRel)) throw new UsageError(`the Dockerfile (${flags.file}) must be inside the build context`);
  if (!fs.existsSync(dfHost)) throw new UsageError(`cannot find Dockerfile ${dfHost}`);
  const buildArgs: Record<string, string> = {};
  for (const a of (flags['build-arg'] as string[] | undefined) ?? []) {
    const i = a.indexOf('=');
    if (i > 0) buildArgs[a.slice(0, i)] = a.slice(i + 1);
    else if (process.env[a] !== undefined) buildArgs[a] = process.env[a]!;
  }
  let rules: IgnoreRule[] = [];
  try {
    rules = parseDockerignore(fs.readFileSync(path.join(dir, '.dockerignore'), 'utf8'));
  } catch {
    rules = [];
  }
  // the Dockerfile is always sent, even when ignored: the agent needs it
  const files = contextFiles(dir, rules, new Set([dfRel.split(path.sep).join('/')]));
  const tar = spawn('tar', ['-C', dir, '-cf', '-', '--numeric-owner', '--no-recursion', '--null', '-T', '-'], { stdio: ['pipe', 'pipe', 'inherit'] });
  tar.stdin.end(files.map((f) => `./${f}\0`).join(''));

  const q = new URLSearchParams({ dockerfile: dfRel.split(path.sep).join('/') });
  for (const t of (flags.tag as string[] | undefined) ?? []) q.append('tags', t);
  if (Object.keys(buildArgs).length) q.set('buildargs', JSON.stringify(buildArgs));
  if (flags['no-cache']) q.set('nocache', '1');
  if (flags.target) q.set('target', flags.target as string);
  if (network !== 'bridge' && network !== 'default') q.set('network', network);
  const ep = localEndpoint();
  const res = await ctx.client().fetch(`${ep.url}/v1/images/build?${q}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ep.token}`, 'content-type': 'application/x-tar' },
    body: tar.stdout,
  });
  if (!res.ok) {
    const json = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new AgentError(json.code ?? 'internal', json.message ?? `agent answered ${res.status}`);
  }
  const quiet = flags.quiet === true;
  let buf = '';
  type Done = { id: string; tags: string[]; seconds?: number; steps?: number; cachedSteps?: number };
  let result = null as Done | null;
  let failure: string | null = null;
  const handle = (line: string) => {
    if (!line.trim()) return;
    const e = JSON.parse(line) as { type: string; [k: string]: unknown };
    if (e.type === 'step' && !quiet) ctx.out(`Step ${e.step}/${e.total} : ${e.text}\n`);
    else if (e.type === 'cached' && !quiet) ctx.out(' ---> Using cache\n');
    else if (e.type === 'pull' && !quiet) ctx.out(`${String(e.message)}\n`);
    else if (e.type === 'output' && !quiet) ctx.out(String(e.data));
    else if (e.type === 'layer' && !quiet) ctx.out(` ---> ${String(e.digest).slice(7, 19)}\n`);
    else if (e.type === 'done') result = e as unknown as Done;
    else if (e.type === 'error') failure = String(e.message);
  };
  for await (const chunk of res.stream()) {
    buf += Buffer.from(chunk as Uint8Array).toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      handle(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  }
  handle(buf);
  if (failure) {
    ctx.err(`berth build: ${failure}\n`);
    return 1;
  }
  if (!result) {
    ctx.err('berth build: the agent ended the build without a result\n');
    return 1;
  }
  const r: Done = result;
  if (quiet) ctx.out(`${r.id}\n`);
  else {
    // the build's own time, measured by the agent (like BuildKit's "Building 0.2s"): Node's start
    // and the context walk on this side are not in it
    if (typeof r.seconds === 'number') ctx.out(`Build took ${r.seconds.toFixed(3)} s, ${r.cachedSteps ?? 0} of ${r.steps ?? 0} steps from the cache\n`);
    ctx.out(`Successfully built ${r.id.slice(7, 19)}\n`);
    for (const t of r.tags) ctx.out(`Successfully tagged ${t}\n`);
  }
  return 0;
}

export async function commit(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'message', short: 'm', type: 'string' },
    { long: 'author', short: 'a', type: 'string' },
    { long: 'change', short: 'c', type: 'list' },
  ]);
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError('usage: berth commit [-m MESSAGE] [-a AUTHOR] [-c INSTRUCTION]... CONTAINER [REPOSITORY[:TAG]]');
  const q = new URLSearchParams();
  if (positionals[1]) q.set('ref', positionals[1]);
  if (flags.message) q.set('message', flags.message as string);
  if (flags.author) q.set('author', flags.author as string);
  for (const c of (flags.change as string[] | undefined) ?? []) q.append('change', c);
  const ep = localEndpoint();
  const res = await ctx.client().fetch(`${ep.url}/v1/containers/${encodeURIComponent(positionals[0]!)}/commit?${q}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ep.token}` },
  });
  const json = (await res.json().catch(() => ({}))) as { code?: string; message?: string; id?: string };
  if (!res.ok) throw new AgentError(json.code ?? 'internal', json.message ?? `agent answered ${res.status}`);
  ctx.out(`${json.id}\n`);
  return 0;
}
