// Merges what the user asked for with the image's config the way Docker does: an explicit
// entrypoint resets the image's Cmd; env overrides by key; defaults for PATH, HOSTNAME, TERM.
import { HEALTH_DEFAULTS, type HealthcheckSpec, type ImageConfig, type RunSpecParsed } from '@berth/shared';
import { invalid } from '../errors';
import type { ResolvedConfig, ResolvedHealthcheck } from './record';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function resolveConfig(spec: RunSpecParsed, image: ImageConfig, hostname: string): ResolvedConfig {
  const entrypoint = spec.entrypoint !== undefined ? spec.entrypoint : image.entrypoint;
  const cmd =
    spec.cmd && spec.cmd.length > 0 ? spec.cmd : spec.entrypoint !== undefined ? [] : (image.cmd ?? []);
  const args = [...(entrypoint ?? []), ...cmd];
  if (args.length === 0) throw invalid('no command specified: the image has no Cmd or Entrypoint and none was given');

  const env = mergeEnv(image.env, spec.env);
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(`PATH=${DEFAULT_PATH}`);
  setDefault(env, 'HOSTNAME', hostname);
  if (spec.tty) setDefault(env, 'TERM', 'xterm');

  return {
    entrypoint: entrypoint ?? null,
    cmd,
    args,
    env,
    workingDir: spec.workingDir ?? (image.workingDir || '/'),
    user: spec.user ?? image.user ?? '',
    hostname,
    stopSignal: spec.stopSignal || image.stopSignal || 'SIGTERM',
    tty: spec.tty,
    openStdin: spec.openStdin,
    ...healthOf(spec.healthcheck, image.healthcheck),
  };
}

/** Docker's merge: each field of --health-* wins over the image's, then the defaults; NONE disables. */
export function resolveHealthcheck(run: HealthcheckSpec | undefined, image: HealthcheckSpec | undefined): ResolvedHealthcheck | undefined {
  const test = run?.test ?? image?.test;
  if (!test || test.length === 0 || test[0] === 'NONE') return undefined;
  if (test[0] !== 'CMD' && test[0] !== 'CMD-SHELL') return undefined; // an image with an unknown form: Docker fails the probe; we skip it
  return {
    test,
    intervalMs: run?.intervalMs || image?.intervalMs || HEALTH_DEFAULTS.intervalMs,
    timeoutMs: run?.timeoutMs || image?.timeoutMs || HEALTH_DEFAULTS.timeoutMs,
    startPeriodMs: run?.startPeriodMs ?? image?.startPeriodMs ?? HEALTH_DEFAULTS.startPeriodMs,
    retries: run?.retries || image?.retries || HEALTH_DEFAULTS.retries,
  };
}

function healthOf(run: HealthcheckSpec | undefined, image: HealthcheckSpec | undefined): { healthcheck?: ResolvedHealthcheck } {
  const h = resolveHealthcheck(run, image);
  return h ? { healthcheck: h } : {};
}

function mergeEnv(base: string[], over: string[]): string[] {
  const out = new Map<string, string>();
  for (const e of [...base, ...over]) {
    const i = e.indexOf('=');
    const key = i < 0 ? e : e.slice(0, i);
    // "-e KEY" without a value takes the variable from the caller's environment in Docker; the
    // CLI resolves that before it gets here, so a bare key here means "unset".
    if (i < 0) out.delete(key);
    else out.set(key, e);
  }
  return [...out.values()];
}

function setDefault(env: string[], key: string, value: string) {
  if (!env.some((e) => e.startsWith(`${key}=`))) env.push(`${key}=${value}`);
}
