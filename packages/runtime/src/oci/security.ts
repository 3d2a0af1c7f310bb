// What a container's security options (--privileged, --cap-add/--cap-drop, --security-opt,
// --read-only) turn into, and how they change the default OCI spec. Pure: the bundle writer
// applies it, create() calls resolveSecurity() first so a bad option fails before anything exists.
import fs from 'node:fs';
import type { RunSpecParsed } from '@berth/shared';
import { invalid } from '../errors';
import { DEFAULT_CAPABILITIES } from './default-spec';
import { defaultSeccompProfile, seccompFromProfile } from './seccomp-default';
import type { OciSeccomp, OciSpec } from './types';

/** Every capability the helper knows (its caps.c table), in kernel order. */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

export interface ResolvedSecurity {
  privileged: boolean;
  capabilities: string[];
  /** null: unconfined */
  seccomp: OciSeccomp | null;
  noNewPrivileges: boolean;
  readonlyRootfs: boolean;
}

/** "net_admin", "CAP_NET_ADMIN" -> "CAP_NET_ADMIN"; "all" -> "ALL". */
export function normalizeCap(name: string): string {
  const up = name.trim().toUpperCase();
  if (up === 'ALL') return 'ALL';
  const full = up.startsWith('CAP_') ? up : `CAP_${up}`;
  if (!(ALL_CAPABILITIES as readonly string[]).includes(full)) throw invalid(`unknown capability: "${name}"`);
  return full;
}

let hostCaps: readonly string[] | undefined;
/** "Every capability" means every one the agent itself holds (its bounding set): a root without
 * CAP_SYS_RESOURCE, say, cannot hand it to a --privileged container. */
export function hostCapabilities(): readonly string[] {
  if (hostCaps) return hostCaps;
  try {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    const bits = m ? BigInt(`0x${m[1]}`) : -1n;
    hostCaps = ALL_CAPABILITIES.filter((_, i) => bits < 0n || ((bits >> BigInt(i)) & 1n) === 1n);
  } catch {
    hostCaps = [...ALL_CAPABILITIES];
  }
  return hostCaps;
}

/** Docker's TweakCapabilities: drop ALL starts from nothing, add ALL from everything. */
export function resolveCapabilities(add: string[], drop: string[], privileged: boolean, all: readonly string[] = hostCapabilities()): string[] {
  const a = add.map(normalizeCap);
  const d = drop.map(normalizeCap);
  if (privileged) return [...all];
  let caps: string[];
  if (d.includes('ALL')) caps = a.includes('ALL') ? [...all] : a.filter((c) => c !== 'ALL');
  else if (a.includes('ALL')) caps = all.filter((c) => !d.includes(c));
  else caps = [...DEFAULT_CAPABILITIES, ...a.filter((c) => !(DEFAULT_CAPABILITIES as readonly string[]).includes(c))].filter((c) => !d.includes(c));
  return ALL_CAPABILITIES.filter((c) => caps.includes(c)); // kernel order, no duplicates
}

export function resolveSecurity(spec: RunSpecParsed): ResolvedSecurity {
  const privileged = spec.privileged ?? false;
  const capabilities = resolveCapabilities(spec.capAdd ?? [], spec.capDrop ?? [], privileged);
  let seccompOpt: string | undefined;
  let noNewPrivileges = false;
  for (const opt of spec.securityOpt ?? []) {
    // Docker accepts both KEY=VALUE and the older KEY:VALUE
    const m = /^([a-z-]+)(?:[=:]([\s\S]*))?$/.exec(opt);
    const key = m?.[1];
    const value = m?.[2];
    if (key === 'no-new-privileges') {
      if (value === undefined || value === '' || value === 'true') noNewPrivileges = true;
      else if (value === 'false') noNewPrivileges = false;
      else throw invalid(`invalid --security-opt no-new-privileges value "${value}": want true or false`);
    } else if (key === 'seccomp' && value !== undefined && value !== '') {
      seccompOpt = value;
    } else {
      throw invalid(`invalid --security-opt "${opt.length > 80 ? opt.slice(0, 80) + '…' : opt}": supported are seccomp=unconfined|PROFILE-JSON and no-new-privileges[=true|false]`);
    }
  }
  let seccomp: OciSeccomp | null;
  if (seccompOpt === 'unconfined' || (privileged && seccompOpt === undefined)) seccomp = null;
  else if (seccompOpt === undefined || seccompOpt === 'builtin') seccomp = defaultSeccompProfile(capabilities);
  else {
    try {
      seccomp = seccompFromProfile(seccompOpt, capabilities);
    } catch (e) {
      throw invalid(`--security-opt seccomp: ${(e as Error).message} (the CLI sends the file's content; give a path to a JSON profile)`);
    }
  }
  return { privileged, capabilities, seccomp, noNewPrivileges, readonlyRootfs: spec.readOnly ?? false };
}

/** Changes Docker's default spec as the security options ask. */
export function applySecurity(spec: OciSpec, sec: ResolvedSecurity): OciSpec {
  spec.process.capabilities = { bounding: [...sec.capabilities], effective: [...sec.capabilities], permitted: [...sec.capabilities] };
  spec.process.noNewPrivileges = sec.noNewPrivileges;
  if (sec.readonlyRootfs) spec.root.readonly = true;
  if (sec.seccomp) spec.linux.seccomp = sec.seccomp;
  else delete spec.linux.seccomp;
  if (sec.privileged) {
    // Docker: no masked or read-only paths, and /sys writable
    spec.linux.maskedPaths = [];
    spec.linux.readonlyPaths = [];
    for (const m of spec.mounts) if (m.type === 'sysfs') m.options = (m.options ?? []).filter((o) => o !== 'ro');
  }
  return spec;
}
