// Registry commands: pull, push, login, logout, search. Progress arrives over the agent's
// `images.pull`/`images.push` subscriptions. Credentials live in the caller's Docker config
// ($DOCKER_CONFIG/config.json or ~/.docker/config.json, Docker's format); the CLI sends the
// entry for the registry with each request, so the agent (root) never reads the user's file.
import readline from 'node:readline';
import type { ImageProgress, RegistryAuth } from '@berth/shared';
import { parseReference } from '@berth/runtime/images/reference';
import { dockerConfigPath, eraseCredentials, readCredentials, storeCredentials } from '@berth/runtime/registry/credentials';
import { splitSearchTerm } from '@berth/runtime/registry/search';
import { normaliseServer } from '../../image-registry-backend';
import { parseArgs, UsageError } from '../args';
import type { CliContext } from '../context';
import { table, truncate } from '../format';
import { ProgressPrinter } from '../progress';

function credentialsFor(domain: string): RegistryAuth | undefined {
  try {
    return readCredentials(domain, dockerConfigPath());
  } catch {
    return undefined;
  }
}

/** Runs a pull or push subscription to its end, drawing progress with `write`. */
export async function streamProgress(
  ctx: CliContext,
  kind: 'pull' | 'push',
  input: { ref: string; platform?: string },
  write: (s: string) => void,
  tty: boolean,
): Promise<Extract<ImageProgress, { type: 'done' }>> {
  const domain = parseReference(input.ref).domain;
  const auth = credentialsFor(domain);
  const printer = new ProgressPrinter(write, tty, kind === 'push');
  const client = ctx.client();
  return new Promise((resolve, reject) => {
    let done: Extract<ImageProgress, { type: 'done' }> | null = null;
    const handlers = {
      onData(e: ImageProgress) {
        printer.on(e);
        if (e.type === 'done') done = e;
      },
      onError(err: unknown) {
        process.off('SIGINT', onInt);
        reject(err);
      },
      onComplete() {
        process.off('SIGINT', onInt);
        if (done) resolve(done);
        else reject(new Error(`${kind} ended without finishing`));
      },
    };
    const sub =
      kind === 'pull'
        ? client.trpc.images.pull.subscribe({ ...input, auth }, handlers)
        : client.trpc.images.push.subscribe({ ref: input.ref, auth }, handlers);
    // Ctrl-C cancels the pull on the agent; what was downloaded stays for the next one.
    const onInt = () => {
      sub.unsubscribe();
      process.exit(130);
    };
    process.once('SIGINT', onInt);
  });
}

export async function pull(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'platform', type: 'string' },
    { long: 'quiet', short: 'q', type: 'bool' },
  ]);
  if (positionals.length !== 1) throw new UsageError('usage: berth pull [--platform os/arch] [-q] NAME[:TAG|@DIGEST]');
  const ref = positionals[0]!;
  const quiet = flags.quiet === true;
  const write = quiet ? () => {} : (s: string) => ctx.out(s);
  const done = await streamProgress(ctx, 'pull', { ref, platform: flags.platform as string | undefined }, write, !quiet && process.stdout.isTTY === true);
  if (quiet) ctx.out(`${done.ref}\n`);
  else ctx.out(`Status: Downloaded image for ${ref} (id ${done.id.slice(7, 19)})\n${done.ref}\n`);
  return 0;
}

export async function push(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [{ long: 'quiet', short: 'q', type: 'bool' }]);
  if (positionals.length !== 1) throw new UsageError('usage: berth push [-q] NAME[:TAG]');
  const quiet = flags.quiet === true;
  const done = await streamProgress(ctx, 'push', { ref: positionals[0]! }, quiet ? () => {} : (s) => ctx.out(s), !quiet && process.stdout.isTTY === true);
  if (quiet) ctx.out(`${done.manifestDigest}\n`);
  return 0;
}

async function prompt(question: string, hidden: boolean): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (hidden) {
    const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
    out._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stderr.write(question);
    };
  }
  try {
    return await new Promise<string>((r) => rl.question(question, r));
  } finally {
    if (hidden) process.stderr.write('\n');
    rl.close();
  }
}

async function readStdin(): Promise<string> {
  let s = '';
  for await (const c of process.stdin) s += c;
  return s.replace(/\r?\n$/, '');
}

export async function login(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'username', short: 'u', type: 'string' },
    { long: 'password', short: 'p', type: 'string' },
    { long: 'password-stdin', type: 'bool' },
  ]);
  if (positionals.length > 1) throw new UsageError('usage: berth login [-u USER] [-p PASS | --password-stdin] [SERVER]');
  const domain = normaliseServer(positionals[0] ?? 'docker.io');
  let username = flags.username as string | undefined;
  let password = flags.password as string | undefined;
  if (flags['password-stdin']) {
    if (password !== undefined) throw new UsageError('--password and --password-stdin are mutually exclusive');
    if (!username) throw new UsageError('--password-stdin needs --username');
    password = await readStdin();
  } else if (password !== undefined) {
    ctx.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  }
  if (!username) {
    if (!process.stdin.isTTY) throw new UsageError('login: give --username (and --password-stdin) when not on a terminal');
    username = (await prompt('Username: ', false)).trim();
  }
  if (password === undefined) {
    if (!process.stdin.isTTY) throw new UsageError('login: give --password-stdin when not on a terminal');
    password = await prompt('Password: ', true);
  }
  if (!username || !password) throw new UsageError('login: username and password are required');
  await ctx.client().trpc.images.login.mutate({ server: domain, auth: { username, password } });
  const file = dockerConfigPath();
  storeCredentials(domain, username, password, file);
  ctx.err(`WARNING! Your password will be stored unencrypted in ${file}.\n`);
  ctx.out('Login Succeeded\n');
  return 0;
}

export async function logout(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, []);
  const domain = normaliseServer(positionals[0] ?? 'docker.io');
  if (eraseCredentials(domain, dockerConfigPath())) ctx.out(`Removing login credentials for ${domain}\n`);
  else ctx.out(`Not logged in to ${domain}\n`);
  return 0;
}

export async function search(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [
    { long: 'limit', type: 'string' },
    { long: 'no-trunc', type: 'bool' },
  ]);
  if (positionals.length !== 1) throw new UsageError('usage: berth search [--limit N] [REGISTRY/]TERM');
  const term = positionals[0]!;
  const limit = flags.limit !== undefined ? Number(flags.limit) : undefined;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 100)) throw new UsageError('--limit must be between 1 and 100');
  const auth = credentialsFor(splitSearchTerm(term).domain);
  const results = await ctx.client().trpc.images.search.query({ term, limit, auth });
  const trunc = flags['no-trunc'] ? (s: string) => s : (s: string) => truncate(s, 45);
  ctx.out(table(['NAME', 'DESCRIPTION', 'STARS', 'OFFICIAL'], results.map((r) => [r.name, trunc(r.description.replace(/\s+/g, ' ')), String(r.stars), r.official ? '[OK]' : ''])));
  return 0;
}

/** Docker's run/create behaviour: a missing image is pulled (progress on stderr), then retried. */
export async function pullIfMissing<T>(ctx: CliContext, image: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const data = (e as { data?: { berthCode?: string } }).data;
    const missing = data?.berthCode === 'not_found' && /no such image/i.test((e as Error).message);
    if (!missing || /^(sha256:)?[a-f0-9]{12,64}$/.test(image)) throw e;
    ctx.err(`Unable to find image '${image}' locally\n`);
    await streamProgress(ctx, 'pull', { ref: image }, (s) => ctx.err(s), process.stderr.isTTY === true);
    return fn();
  }
}
