// run/create flags for confinement: --privileged, --cap-add, --cap-drop, --security-opt,
// --read-only, --device, --sysctl, --userns. Like Docker's CLI, `--security-opt seccomp=PATH` reads the profile here and sends
// its content, so the agent never opens a path the caller named.
import fs from 'node:fs';
import { DEVICE_PERMISSIONS_RE, type DeviceSpec, type RunSpec } from '@berth/shared';
import { UsageError, type FlagDef } from '../args';

export const securityFlags: FlagDef[] = [
  { long: 'privileged', type: 'bool' },
  { long: 'cap-add', type: 'list' },
  { long: 'cap-drop', type: 'list' },
  { long: 'security-opt', type: 'list' },
  { long: 'read-only', type: 'bool' },
  { long: 'device', type: 'list' },
  { long: 'sysctl', type: 'list' },
  { long: 'userns', type: 'string' },
];

/** Docker's parseDevice: HOST, HOST:CONTAINER, HOST:PERMS or HOST:CONTAINER:PERMS. */
export function parseDevice(v: string): DeviceSpec {
  const arr = v.split(':');
  if (arr.length > 3 || !arr[0]) throw new UsageError(`invalid --device "${v}": want HOST[:CONTAINER[:PERMS]]`);
  let dst = '';
  let permissions = 'rwm';
  if (arr.length === 3) {
    if (!DEVICE_PERMISSIONS_RE.test(arr[2])) throw new UsageError(`invalid --device "${v}": bad permissions "${arr[2]}" (want a combination of r, w and m)`);
    permissions = arr[2];
  }
  if (arr.length >= 2) {
    if (arr.length === 2 && DEVICE_PERMISSIONS_RE.test(arr[1])) permissions = arr[1];
    else dst = arr[1];
  }
  const src = arr[0];
  if (!src.startsWith('/')) throw new UsageError(`invalid --device "${v}": the host path must be absolute`);
  if (dst && !dst.startsWith('/')) throw new UsageError(`invalid --device "${v}": bad permissions or container path "${dst}" (want a combination of r, w and m, or an absolute path)`);
  return { pathOnHost: src, pathInContainer: dst || src, permissions };
}

/** --sysctl KEY=VALUE */
export function parseSysctls(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`invalid --sysctl "${kv}": want KEY=VALUE`);
    out[kv.slice(0, i).trim()] = kv.slice(i + 1);
  }
  return out;
}

export function securitySpecFromFlags(flags: Record<string, unknown>): Partial<RunSpec> {
  const securityOpt = ((flags['security-opt'] as string[] | undefined) ?? []).map((opt) => {
    const m = /^seccomp[=:](.*)$/s.exec(opt);
    if (!m || m[1] === 'unconfined' || m[1] === 'builtin' || m[1].trimStart().startsWith('{')) return opt;
    try {
      return `seccomp=${fs.readFileSync(m[1], 'utf8')}`;
    } catch (e) {
      throw new UsageError(`opening seccomp profile (${m[1]}) failed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  });
  return {
    privileged: flags.privileged === true,
    capAdd: (flags['cap-add'] as string[] | undefined) ?? [],
    capDrop: (flags['cap-drop'] as string[] | undefined) ?? [],
    securityOpt,
    readOnly: flags['read-only'] === true,
    devices: ((flags.device as string[] | undefined) ?? []).map(parseDevice),
    sysctls: parseSysctls((flags.sysctl as string[] | undefined) ?? []),
    // host|remap, checked by the RunSpec schema at the agent
    ...(typeof flags.userns === 'string' ? { userns: flags.userns as RunSpec['userns'] } : {}),
  };
}
