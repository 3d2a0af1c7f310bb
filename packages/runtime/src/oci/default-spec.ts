// Docker's defaults as an OCI config.json: mounts, capabilities, masked and read-only paths,
// namespaces. A pure function; the container service fills in the berth extension's paths.
import type { BerthExtension, OciMount, OciNamespace, OciSpec } from './types';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
] as const;

export const DEFAULT_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface DefaultSpecOptions {
  rootPath: string;
  args: string[];
  env: string[];
  cwd: string;
  hostname: string;
  terminal: boolean;
  hostNetwork: boolean;
  /** Join this network namespace (a /proc/PID/ns/net or bind-mounted nsfs path) instead of creating one. */
  netnsPath?: string;
  /** Host file bind-mounted on /etc/hostname (and likewise /etc/hosts, /etc/resolv.conf when given). */
  hostnamePath?: string;
  hostsPath?: string;
  resolvConfPath?: string;
  readonlyRootfs?: boolean;
  uid?: number;
  gid?: number;
  user?: string;
  extraMounts?: OciMount[];
  berth?: Partial<BerthExtension>;
}

export function defaultSpec(o: DefaultSpecOptions): OciSpec {
  const caps = [...DEFAULT_CAPABILITIES];
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  ];
  const binds: [string, string | undefined][] = [
    ['/etc/hostname', o.hostnamePath],
    ['/etc/hosts', o.hostsPath],
    ['/etc/resolv.conf', o.resolvConfPath],
  ];
  for (const [destination, source] of binds) {
    if (source) mounts.push({ destination, type: 'bind', source, options: ['rbind', 'rprivate'] });
  }
  mounts.push(...(o.extraMounts ?? []));

  const namespaces: OciNamespace[] = [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }, { type: 'ipc' }];
  if (!o.hostNetwork) namespaces.push(o.netnsPath ? { type: 'network', path: o.netnsPath } : { type: 'network' });
  namespaces.push({ type: 'cgroup' });

  const env = o.env.some((e) => e.startsWith('PATH=')) ? [...o.env] : [`PATH=${DEFAULT_PATH}`, ...o.env];

  return {
    ociVersion: '1.0.2',
    process: {
      terminal: o.terminal,
      user: { uid: o.uid ?? 0, gid: o.gid ?? 0, additionalGids: [] },
      args: [...o.args],
      env,
      cwd: o.cwd || '/',
      capabilities: { bounding: [...caps], effective: [...caps], permitted: [...caps] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }],
      noNewPrivileges: false,
    },
    root: { path: o.rootPath, readonly: o.readonlyRootfs ?? false },
    hostname: o.hostname,
    mounts,
    linux: {
      namespaces,
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
    },
    berth: {
      cgroupProcs: [],
      logPath: '',
      openStdin: false,
      waitForAttach: false,
      ...(o.user ? { user: o.user } : {}),
      ...o.berth,
    },
  };
}
