import { logOptsToConfig, parseDurationMs, type RunSpec } from '@berth/shared';
import { parseArgs, parseBytes, parseCpus, parseIntFlag, UsageError, type FlagDef } from '../args';
import type { CliContext } from '../context';
import { parseDetachKeys, runTerminalSession, windowSize } from '../terminal-session';
import { pullIfMissing } from './registry';
import { networkFlags, networkSpecFromFlags } from './run-network-flags';
import { securityFlags, securitySpecFromFlags } from './run-security-flags';

const runFlags: FlagDef[] = [
  { long: 'detach', short: 'd', type: 'bool' },
  { long: 'interactive', short: 'i', type: 'bool' },
  { long: 'tty', short: 't', type: 'bool' },
  { long: 'rm', type: 'bool' },
  { long: 'name', type: 'string' },
  { long: 'env', short: 'e', type: 'list' },
  { long: 'workdir', short: 'w', type: 'string' },
  { long: 'user', short: 'u', type: 'string' },
  { long: 'hostname', short: 'h', type: 'string' },
  { long: 'memory', short: 'm', type: 'string' },
  { long: 'memory-swap', type: 'string' },
  { long: 'cpus', type: 'string' },
  { long: 'pids-limit', type: 'string' },
  { long: 'network', type: 'string' },
  { long: 'net', type: 'string' },
  { long: 'entrypoint', type: 'string' },
  { long: 'label', short: 'l', type: 'list' },
  { long: 'restart', type: 'string' },
  { long: 'stop-signal', type: 'string' },
  { long: 'stop-timeout', type: 'string' },
  { long: 'log-opt', type: 'list' },
  { long: 'log-driver', type: 'string' },
  { long: 'init', type: 'bool' },
  { long: 'health-cmd', type: 'string' },
  { long: 'health-interval', type: 'string' },
  { long: 'health-timeout', type: 'string' },
  { long: 'health-start-period', type: 'string' },
  { long: 'health-retries', type: 'string' },
  { long: 'no-healthcheck', type: 'bool' },
  ...networkFlags,
  ...securityFlags,
];

/** --restart no|always|unless-stopped|on-failure[:N] */
export function parseRestartPolicy(v: string): NonNullable<RunSpec['restartPolicy']> {
  const m = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(v);
  if (!m || (m[2] !== undefined && m[1] !== 'on-failure'))
    throw new UsageError(`invalid restart policy "${v}": want no, always, unless-stopped or on-failure[:max-retries]`);
  return { name: m[1] as 'no', maximumRetryCount: m[2] ? Number(m[2]) : 0 };
}

/** --memory-swap SIZE, or -1 for unlimited swap */
export function parseMemorySwap(v: string): number {
  return v === '-1' ? -1 : parseBytes(v, '--memory-swap');
}

/** --log-driver / --log-opt KEY=VALUE as Docker's LogConfig; the agent validates it (RunSpec). */
export function logConfigFromFlags(driver: string | undefined, opts: string[] | undefined): RunSpec['logConfig'] {
  if (driver === undefined && !opts?.length) return undefined;
  let config: Record<string, string>;
  try {
    config = logOptsToConfig(opts ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return { type: driver || 'json-file', config };
}

/** --health-cmd/--health-interval/--health-timeout/--health-start-period/--health-retries, --no-healthcheck */
export function healthcheckFromFlags(flags: Record<string, unknown>): RunSpec['healthcheck'] {
  const dur = (name: string) => {
    const v = flags[name] as string | undefined;
    if (v === undefined) return undefined;
    let ms: number;
    try {
      ms = parseDurationMs(v);
    } catch (e) {
      throw new UsageError(`invalid argument "${v}" for "--${name}" flag: ${(e as Error).message}`);
    }
    if (ms < 0) throw new UsageError(`--${name} cannot be negative`);
    return ms === 0 ? undefined : ms; // 0: the image's value, or the default (Docker's rule)
  };
  const given = ['health-cmd', 'health-interval', 'health-timeout', 'health-start-period', 'health-retries'].filter((f) => flags[f] !== undefined);
  if (flags['no-healthcheck'] === true) {
    if (given.length) throw new UsageError('--no-healthcheck conflicts with --health-* options');
    return { test: ['NONE'] };
  }
  if (!given.length) return undefined;
  const out: NonNullable<RunSpec['healthcheck']> = {};
  if (flags['health-cmd'] !== undefined) out.test = ['CMD-SHELL', flags['health-cmd'] as string];
  const interval = dur('health-interval');
  const timeout = dur('health-timeout');
  const startPeriod = dur('health-start-period');
  if (interval !== undefined) out.intervalMs = interval;
  if (timeout !== undefined) out.timeoutMs = timeout;
  if (startPeriod !== undefined) out.startPeriodMs = startPeriod;
  if (flags['health-retries'] !== undefined) out.retries = parseIntFlag(flags['health-retries'] as string, '--health-retries');
  return out;
}

/** Turns `run`/`create` flags into a RunSpec; the agent validates it again. */
export function runSpecFromArgs(argv: string[]): { spec: RunSpec; detach: boolean } {
  const { flags, positionals } = parseArgs(argv, runFlags, { stopAtPositional: true });
  if (positionals.length === 0) throw new UsageError('usage: berth run [OPTIONS] IMAGE [COMMAND] [ARG...]');
  const [image, ...cmd] = positionals;
  const env = ((flags.env as string[] | undefined) ?? []).map((e) => {
    if (e.includes('=')) return e;
    const v = process.env[e]; // -e KEY takes the value from the caller's environment, as in Docker
    return v === undefined ? e : `${e}=${v}`;
  });
  const network = (flags.network ?? flags.net) as string | undefined;
  if (network !== undefined && !/^(none|host|bridge|container:[a-zA-Z0-9][a-zA-Z0-9_.-]*|[a-zA-Z0-9][a-zA-Z0-9_.-]*)$/.test(network))
    throw new UsageError(`invalid value "${network}" for flag --network: want none, host, bridge, container:NAME|ID or a network name`);
  const labels: Record<string, string> = {};
  for (const l of (flags.label as string[] | undefined) ?? []) {
    const i = l.indexOf('=');
    labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }
  const restartPolicy = flags.restart !== undefined ? parseRestartPolicy(flags.restart as string) : undefined;
  if (flags.rm && restartPolicy && restartPolicy.name !== 'no') throw new UsageError('conflicting options: --restart and --rm');
  const logConfig = logConfigFromFlags(flags['log-driver'] as string | undefined, flags['log-opt'] as string[] | undefined);
  const healthcheck = healthcheckFromFlags(flags);
  const spec: RunSpec = {
    ...(restartPolicy ? { restartPolicy } : {}),
    ...(healthcheck ? { healthcheck } : {}),
    ...(flags.init === true ? { init: true } : {}),
    ...(logConfig ? { logConfig } : {}),
    ...(flags['stop-signal'] !== undefined ? { stopSignal: flags['stop-signal'] as string } : {}),
    ...(flags['stop-timeout'] !== undefined ? { stopTimeout: parseIntFlag(flags['stop-timeout'] as string, '--stop-timeout') } : {}),
    image,
    cmd: cmd.length ? cmd : undefined,
    entrypoint: flags.entrypoint !== undefined ? ((flags.entrypoint as string) === '' ? [] : [flags.entrypoint as string]) : undefined,
    name: flags.name as string | undefined,
    env,
    workingDir: flags.workdir as string | undefined,
    user: flags.user as string | undefined,
    hostname: flags.hostname as string | undefined,
    tty: flags.tty === true,
    openStdin: flags.interactive === true,
    autoRemove: flags.rm === true,
    memoryBytes: flags.memory !== undefined ? parseBytes(flags.memory as string, '--memory') : undefined,
    memorySwapBytes: flags['memory-swap'] !== undefined ? parseMemorySwap(flags['memory-swap'] as string) : undefined,
    nanoCpus: flags.cpus !== undefined ? parseCpus(flags.cpus as string, '--cpus') : undefined,
    pidsLimit: flags['pids-limit'] !== undefined ? parseIntFlag(flags['pids-limit'] as string, '--pids-limit', 1) : undefined,
    network: network ?? 'bridge',
    labels,
    ...networkSpecFromFlags(flags),
    ...securitySpecFromFlags(flags),
  };
  return { spec, detach: flags.detach === true };
}

export async function run(ctx: CliContext, argv: string[]): Promise<number> {
  const { spec, detach } = runSpecFromArgs(argv);
  if (spec.tty && spec.openStdin && !process.stdin.isTTY && !detach) {
    throw new UsageError('the input device is not a TTY: drop -t, or run from a terminal');
  }
  const client = ctx.client();
  if (detach) {
    const { id } = await pullIfMissing(ctx, spec.image, () => client.trpc.containers.run.mutate(spec));
    ctx.out(`${id}\n`);
    return 0;
  }
  const { id } = await pullIfMissing(ctx, spec.image, () => client.trpc.containers.create.mutate(spec));
  // attach first, then start: the monitor holds the process until we are connected, so no
  // output (not even the first prompt) is missed
  const ws = client.terminal(id, 'attach', { start: true, ...windowSize() });
  let detached = false;
  const code = await runTerminalSession(ws, {
    tty: spec.tty === true,
    interactive: spec.openStdin === true,
    ...(spec.tty && spec.openStdin ? { detachKeys: parseDetachKeys(), onDetach: () => (detached = true) } : {}),
  });
  // like docker run --rm: return once the container (and what it held, its volumes) is gone, so
  // the next command never finds it; a detach (-t -i, then the detach keys) leaves it running
  if (spec.autoRemove && !detached) await untilRemoved(client, id);
  return code;
}

async function untilRemoved(client: ReturnType<CliContext['client']>, id: string): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += 25) {
    const c = await client.trpc.containers.inspect.query({ id }).catch((e: unknown) => {
      if ((e as { data?: { code?: string } }).data?.code === 'NOT_FOUND') return null;
      throw e;
    });
    if (!c) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function create(ctx: CliContext, argv: string[]): Promise<number> {
  const { spec } = runSpecFromArgs(argv);
  const { id } = await pullIfMissing(ctx, spec.image, () => ctx.client().trpc.containers.create.mutate(spec));
  ctx.out(`${id}\n`);
  return 0;
}

export async function exec(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(
    argv,
    [
      { long: 'interactive', short: 'i', type: 'bool' },
      { long: 'tty', short: 't', type: 'bool' },
      { long: 'detach', short: 'd', type: 'bool' },
      { long: 'env', short: 'e', type: 'list' },
      { long: 'workdir', short: 'w', type: 'string' },
      { long: 'user', short: 'u', type: 'string' },
      { long: 'privileged', type: 'bool' },
    ],
    { stopAtPositional: true },
  );
  if (positionals.length < 2) throw new UsageError('usage: berth exec [OPTIONS] CONTAINER COMMAND [ARG...]');
  const [id, ...cmd] = positionals;
  const privileged = flags.privileged === true;
  if (flags.detach) {
    // Docker's exec -d: the process runs on in the container; nothing is printed
    await ctx.client().trpc.containers.execDetached.mutate({
      id,
      spec: { cmd, env: flags.env as string[] | undefined, workingDir: flags.workdir as string | undefined, user: flags.user as string | undefined, privileged },
    });
    return 0;
  }
  const tty = flags.tty === true;
  const interactive = flags.interactive === true;
  if (tty && interactive && !process.stdin.isTTY) throw new UsageError('the input device is not a TTY: drop -t, or run from a terminal');
  const ws = ctx.client().terminal(id, 'exec', {
    cmd,
    tty,
    env: flags.env,
    workingDir: flags.workdir,
    user: flags.user,
    ...(privileged ? { privileged } : {}),
    ...windowSize(),
  });
  return runTerminalSession(ws, { tty, interactive });
}
