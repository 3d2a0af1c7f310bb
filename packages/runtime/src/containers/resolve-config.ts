// Merges what the user asked for with the image's config the way Docker does: an explicit
// entrypoint resets the image's Cmd; env overrides by key; defaults for PATH, HOSTNAME, TERM.
import type { ImageConfig, RunSpecParsed } from '@berth/shared';
import { invalid } from '../errors';
import type { ResolvedConfig } from './record';

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
  };
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
