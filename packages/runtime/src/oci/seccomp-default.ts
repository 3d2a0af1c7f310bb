// The default seccomp profile, equivalent to Docker's (moby profiles/seccomp/default.json) for
// x86_64, written as a DENYLIST: everything is allowed except the syscalls Docker's allowlist
// leaves out, each returning EPERM unless the container holds the capability Docker's profile
// ties it to. A denylist is shorter and cannot break a program that uses a new, harmless syscall
// Docker's list has not caught up with; the price is that a brand-new dangerous syscall is allowed
// until it is added here. Also: Docker-format profiles (`--security-opt seccomp=PATH.json`) are
// turned into OCI linux.seccomp here, with their includes/excludes evaluated against the
// container's capabilities, as dockerd does.
import os from 'node:os';
import type { OciSeccomp, OciSeccompArg, OciSeccompSyscall } from './types';

const EPERM = 1;
const ENOSYS = 38;

/** Syscalls Docker's profile never allows (no capability brings them back). */
export const ALWAYS_DENIED = [
  'add_key',
  'keyctl',
  'request_key',
  'create_module',
  'get_kernel_syms',
  'query_module',
  'kexec_file_load',
  'kexec_load',
  'nfsservctl',
  '_sysctl',
  'sysfs',
  'uselib',
  'ustat',
  'vm86',
  'vm86old',
  'swapon',
  'swapoff',
  'memfd_secret',
  // Docker 25+ removed io_uring from the default allowlist (its history of kernel escapes)
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
];

/** Syscalls Docker allows only when the container holds one of the capabilities. */
export const DENIED_UNLESS_CAP: { caps: string[]; names: string[] }[] = [
  {
    caps: ['CAP_SYS_ADMIN'],
    names: [
      'mount',
      'umount',
      'umount2',
      'pivot_root',
      'unshare',
      'setns',
      'sethostname',
      'setdomainname',
      'quotactl',
      'quotactl_fd',
      'fanotify_init',
      'name_to_handle_at',
      'open_tree',
      'move_mount',
      'fsopen',
      'fsconfig',
      'fsmount',
      'fspick',
      'mount_setattr',
      'lookup_dcookie',
    ],
  },
  { caps: ['CAP_SYS_ADMIN', 'CAP_BPF'], names: ['bpf'] },
  { caps: ['CAP_SYS_ADMIN', 'CAP_PERFMON'], names: ['perf_event_open'] },
  { caps: ['CAP_SYS_ADMIN', 'CAP_SYSLOG'], names: ['syslog'] },
  { caps: ['CAP_SYS_BOOT'], names: ['reboot'] },
  { caps: ['CAP_SYS_CHROOT'], names: ['chroot'] },
  { caps: ['CAP_SYS_MODULE'], names: ['init_module', 'finit_module', 'delete_module'] },
  { caps: ['CAP_SYS_PACCT'], names: ['acct'] },
  { caps: ['CAP_SYS_PTRACE'], names: ['kcmp', 'pidfd_getfd', 'process_madvise', 'userfaultfd'] },
  { caps: ['CAP_SYS_RAWIO'], names: ['iopl', 'ioperm'] },
  {
    caps: ['CAP_SYS_TIME'],
    names: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64', 'clock_adjtime', 'clock_adjtime64'],
  },
  { caps: ['CAP_SYS_TTY_CONFIG'], names: ['vhangup'] },
  { caps: ['CAP_SYS_NICE'], names: ['get_mempolicy', 'mbind', 'set_mempolicy', 'set_mempolicy_home_node', 'move_pages'] },
  { caps: ['CAP_DAC_READ_SEARCH'], names: ['open_by_handle_at'] },
];

/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET: Docker's clone mask 0x7E020000. */
const CLONE_NS_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];
const AF_VSOCK = 40;

/** Docker's default profile for a container with these (effective) capabilities. */
export function defaultSeccompProfile(caps: readonly string[]): OciSeccomp {
  const has = new Set(caps);
  const denied: string[] = [...ALWAYS_DENIED];
  for (const g of DENIED_UNLESS_CAP) if (!g.caps.some((c) => has.has(c))) denied.push(...g.names);
  const syscalls: OciSeccompSyscall[] = [{ names: denied, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM }];
  if (!has.has('CAP_SYS_ADMIN')) {
    // clone with any namespace flag fails (one rule per bit: a denylist cannot say "mask != 0");
    // clone3 cannot be inspected (flags live in memory), so it says ENOSYS and libc falls back
    // to clone, exactly as Docker's profile does
    for (const bit of CLONE_NS_FLAGS)
      syscalls.push({ names: ['clone'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [{ index: 0, value: bit, valueTwo: bit, op: 'SCMP_CMP_MASKED_EQ' }] });
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  }
  syscalls.push({ names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_EQ' }] });
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls,
  };
}

// ---- Docker-format profiles -----------------------------------------------------------------

interface DockerFilter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}
interface DockerSyscall {
  name?: string;
  names?: string[];
  action: OciSeccompSyscall['action'];
  errnoRet?: number;
  args?: OciSeccompArg[] | null;
  includes?: DockerFilter;
  excludes?: DockerFilter;
}
interface DockerProfile {
  defaultAction: OciSeccomp['defaultAction'];
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] }[] | null;
  flags?: string[];
  syscalls?: DockerSyscall[] | null;
}

function kernelAtLeast(min: string): boolean {
  const [a, b] = os.release().split(/[.-]/).map(Number);
  const [x, y] = min.split('.').map(Number);
  return a > x || (a === x && b >= (y || 0));
}

const NATIVE_ARCHES = ['amd64', 'x86_64', 'x86', 'x32', '386'];

function matches(f: DockerFilter | undefined, caps: Set<string>, empty: boolean): boolean {
  if (!f) return empty;
  const parts: boolean[] = [];
  if (f.caps?.length) parts.push(f.caps.some((c) => caps.has(c.startsWith('CAP_') ? c : `CAP_${c}`)));
  if (f.arches?.length) parts.push(f.arches.some((a) => NATIVE_ARCHES.includes(a)));
  if (f.minKernel) parts.push(kernelAtLeast(f.minKernel));
  if (parts.length === 0) return empty;
  return empty ? parts.every(Boolean) : parts.some(Boolean);
}

/**
 * A profile file's JSON (Docker's format, which OCI's is a subset of) as OCI linux.seccomp for a
 * container with these capabilities. Throws an Error naming what is wrong.
 */
export function seccompFromProfile(text: string, caps: readonly string[]): OciSeccomp {
  let p: DockerProfile;
  try {
    p = JSON.parse(text) as DockerProfile;
  } catch (e) {
    throw new Error(`seccomp profile is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof p !== 'object' || p === null || typeof p.defaultAction !== 'string') throw new Error('seccomp profile has no defaultAction');
  const has = new Set(caps);
  let architectures = p.architectures;
  if (!architectures?.length && p.archMap) {
    const native = p.archMap.find((m) => m.architecture === 'SCMP_ARCH_X86_64');
    if (native) architectures = [native.architecture, ...(native.subArchitectures ?? [])];
  }
  const syscalls: OciSeccompSyscall[] = [];
  for (const [i, s] of (p.syscalls ?? []).entries()) {
    const names = s.names ?? (s.name ? [s.name] : []);
    if (names.length === 0) throw new Error(`seccomp profile: syscalls[${i}] has no names`);
    if (!matches(s.includes, has, true) || matches(s.excludes, has, false)) continue;
    syscalls.push({
      names,
      action: s.action,
      ...(s.errnoRet !== undefined ? { errnoRet: s.errnoRet } : {}),
      ...(s.args?.length ? { args: s.args } : {}),
    });
  }
  return {
    defaultAction: p.defaultAction,
    ...(p.defaultErrnoRet !== undefined ? { defaultErrnoRet: p.defaultErrnoRet } : {}),
    ...(architectures?.length ? { architectures } : {}),
    ...(p.flags?.length ? { flags: p.flags } : {}),
    syscalls,
  };
}
