import { z } from 'zod';
import { HealthcheckSpec, HealthState, HealthStatus } from './health';
import { LogConfig } from './logs';
import { ContainerMountView, ContainerNetworkSettings, MountSpec, PortBinding, PortSpec } from './networks';

export const ContainerName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, 'container name must match [a-zA-Z0-9][a-zA-Z0-9_.-]*');

export const ContainerState = z.enum(['created', 'running', 'exited', 'dead']);
export type ContainerState = z.infer<typeof ContainerState>;

/** none | host | bridge | container:NAME|ID | the name of a user-defined network */
export const NetworkMode = z
  .string()
  .regex(
    /^(none|host|bridge|container:[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}|[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63})$/,
    'network must be none, host, bridge, container:NAME|ID or a network name',
  );

/** --device HOST[:CONTAINER[:PERMS]] (Docker's syntax): a host device node made in the container. */
export const DEVICE_PERMISSIONS_RE = /^(?!.*(.).*\1)[rwm]{1,3}$/;
export const DeviceSpec = z.object({
  pathOnHost: z.string().regex(/^\//, 'device path on the host must be absolute'),
  pathInContainer: z
    .string()
    .regex(/^\/./, 'device path in the container must be absolute and not /')
    .refine((p) => !p.split('/').includes('..'), 'device path in the container may not contain ".."'),
  permissions: z.string().regex(DEVICE_PERMISSIONS_RE, 'device permissions must be a combination of r, w and m (like rwm or r)').default('rwm'),
});
export type DeviceSpec = z.input<typeof DeviceSpec>;

/** The sysctls Docker lets a container set: those the kernel keeps per IPC or network namespace. */
export const NAMESPACED_SYSCTLS = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced'];
export const NAMESPACED_SYSCTL_PREFIXES = ['fs.mqueue.', 'net.'];
export function sysctlAllowed(key: string): boolean {
  return NAMESPACED_SYSCTLS.includes(key) || NAMESPACED_SYSCTL_PREFIXES.some((p) => key.startsWith(p) && key.length > p.length);
}
export const Sysctls = z.record(z.string(), z.string()).superRefine((rec, ctx) => {
  for (const [key, value] of Object.entries(rec)) {
    if (!/^[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)+$/.test(key) || !sysctlAllowed(key))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `sysctl "${key}" is not allowed: only namespaced sysctls can be set (${NAMESPACED_SYSCTLS.join(', ')}, fs.mqueue.*, net.*)`,
      });
    else if (/[\0\n]/.test(value) || value.length > 4096)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `sysctl "${key}": the value may not contain newlines or NUL bytes` });
  }
});

/** What `run` asks for. Every field is validated here, once, for CLI, API and dashboard alike. */
/** --userns / HostConfig.UsernsMode: host (no user namespace) or remap (Docker's userns-remap, per container). */
export const USERNS_MODES = ['host', 'remap'] as const;
export const UsernsMode = z.enum(USERNS_MODES, {
  error: (iss) => `invalid userns mode ${JSON.stringify(iss.input)}: want host or remap`,
});
export type UsernsMode = z.infer<typeof UsernsMode>;

export const RunSpec = z.object({
  image: z.string().min(1, 'image is required'),
  name: ContainerName.optional(),
  cmd: z.array(z.string()).optional(), // replaces image Cmd when given (non-empty)
  entrypoint: z.array(z.string()).optional(),
  env: z.array(z.string().regex(/^[^=\0]+(=[^\0]*)?$/, 'env must be KEY=VALUE')).default([]),
  workingDir: z.string().regex(/^\//, 'working directory must be an absolute path').optional(),
  user: z.string().regex(/^[a-zA-Z0-9_.-]+(:[a-zA-Z0-9_.-]+)?$/, 'user must be name|uid[:group|gid]').optional(),
  hostname: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$/, 'hostname must be a valid host name').optional(),
  tty: z.boolean().default(false),
  openStdin: z.boolean().default(false),
  autoRemove: z.boolean().default(false),
  memoryBytes: z.number().int().min(6 * 1024 * 1024, 'memory limit must be at least 6MB').optional(),
  /** --memory-swap: memory + swap in bytes, -1 unlimited; default twice --memory, like Docker */
  memorySwapBytes: z.number().int().min(-1, 'memory-swap must be -1 (unlimited) or a size').optional(),
  nanoCpus: z.number().int().positive('cpus must be positive').optional(),
  pidsLimit: z.number().int().positive('pids limit must be positive').optional(),
  network: NetworkMode.default('bridge'),
  /** -p; hostPort absent = a free port */
  publish: z.array(PortSpec).default([]),
  /** -P: publish every port the image exposes on a free host port */
  publishAll: z.boolean().default(false),
  /** --network-alias: extra names on user-defined networks */
  networkAliases: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, 'alias must be a host name')).default([]),
  /** -v, --mount, --tmpfs */
  mounts: z.array(MountSpec).default([]),
  labels: z.record(z.string(), z.string()).default({}),
  /** --privileged: every capability, no seccomp, no masked/read-only paths, every device, writable /sys */
  privileged: z.boolean().default(false),
  /** --cap-add / --cap-drop: NAME, CAP_NAME (any case) or ALL */
  capAdd: z.array(z.string().regex(/^[a-zA-Z_]+$/, 'capability must be a name like NET_ADMIN or ALL')).default([]),
  capDrop: z.array(z.string().regex(/^[a-zA-Z_]+$/, 'capability must be a name like NET_ADMIN or ALL')).default([]),
  /** --security-opt: seccomp=unconfined|PROFILE-JSON (the CLI reads the file), no-new-privileges[=true|false] */
  securityOpt: z.array(z.string().max(1024 * 1024, 'security option too long')).default([]),
  /** --read-only: the root filesystem is mounted read-only */
  readOnly: z.boolean().default(false),
  /** --device HOST[:CONTAINER[:PERMS]] */
  devices: z.array(DeviceSpec).default([]),
  /** --sysctl KEY=VALUE: namespaced sysctls only; net.* needs the container's own network namespace */
  sysctls: Sysctls.default({}),
  /** --userns: host (default, no user namespace) or remap (root maps to the `berth` range of /etc/subuid and /etc/subgid) */
  userns: UsernsMode.default('host'),
  /** --restart no|on-failure[:N]|always|unless-stopped, kept by the agent (issue 6) */
  restartPolicy: z
    .object({ name: z.enum(['no', 'on-failure', 'always', 'unless-stopped']), maximumRetryCount: z.number().int().min(0).default(0) })
    .optional(),
  /** --stop-signal: overrides the image's StopSignal */
  stopSignal: z.string().regex(/^(SIG)?[A-Z0-9]+$|^\d+$/, 'stop signal must be a signal name or number').optional(),
  /** --stop-timeout: seconds `stop` waits before SIGKILL (default 10) */
  stopTimeout: z.number().int().min(0).max(3600).optional(),
  /** --log-opt max-size=10m --log-opt max-file=3 (json-file rotation, done by the monitor) */
  logConfig: LogConfig.optional(),
  /** --init: a minimal init (berth-init) runs as PID 1, forwards signals to the command and reaps zombies */
  init: z.boolean().default(false),
  /** --health-cmd/--health-interval/... or --no-healthcheck (test ["NONE"]): overrides the image's HEALTHCHECK field by field */
  healthcheck: HealthcheckSpec.optional(),
});
export type RunSpec = z.input<typeof RunSpec>;
export type RunSpecParsed = z.output<typeof RunSpec>;

/** `berth exec -d` (detached: no stdio, answered once the process runs) and `exec --privileged`. */
export const ExecDetachedSpec = z.object({
  cmd: z.array(z.string()).min(1, 'exec needs a command'),
  env: z.array(z.string().regex(/^[^=\0]+=[^\0]*$/, 'env must be KEY=VALUE')).optional(),
  workingDir: z.string().regex(/^\//, 'working directory must be an absolute path').optional(),
  user: z.string().regex(/^[a-zA-Z0-9_.-]+(:[a-zA-Z0-9_.-]+)?$/, 'user must be name|uid[:group|gid]').optional(),
  /** every capability and no seccomp for this process, as Docker's exec --privileged */
  privileged: z.boolean().default(false),
});
export type ExecDetachedSpec = z.input<typeof ExecDetachedSpec>;

/** `berth update` / Docker's container update: new limits and restart policy for a container. */
export const UpdateSpec = RunSpec.pick({ memoryBytes: true, memorySwapBytes: true, nanoCpus: true, pidsLimit: true, restartPolicy: true }).strict();
export type UpdateSpec = z.input<typeof UpdateSpec>;

/** One line of `berth diff`: C changed, A added, D deleted (Docker's Kind 0, 1, 2). */
export const ContainerChange = z.object({ path: z.string(), kind: z.enum(['C', 'A', 'D']) });
export type ContainerChange = z.infer<typeof ContainerChange>;

/** One entry of a directory in a container (the dashboard's file browser). */
export const ContainerDirEntry = z.object({
  name: z.string(),
  type: z.enum(['dir', 'file', 'symlink', 'other']),
  size: z.number(),
  mode: z.number().int(),
  uid: z.number().int(),
  gid: z.number().int(),
  /** unix seconds */
  mtime: z.number(),
  linkTarget: z.string(),
});
export type ContainerDirEntry = z.infer<typeof ContainerDirEntry>;
export const ContainerDirListing = z.object({ path: z.string(), entries: z.array(ContainerDirEntry), truncated: z.boolean() });
export type ContainerDirListing = z.infer<typeof ContainerDirListing>;

export const ContainerSummary = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  command: z.string(),
  state: ContainerState,
  status: z.string(), // "Up 3 minutes", "Exited (0) 2 seconds ago"
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  pid: z.number().int().nullable(),
  /** published ports while running */
  ports: z.array(PortBinding).optional(),
  /** --label, for `ps --filter label=` */
  labels: z.record(z.string(), z.string()).optional(),
  /** frozen by `pause` */
  paused: z.boolean().optional(),
  /** while running with a healthcheck: its status ("Up 3 minutes (healthy)", ps --filter health=) */
  healthStatus: HealthStatus.optional(),
});
export type ContainerSummary = z.infer<typeof ContainerSummary>;

export const ContainerInspect = ContainerSummary.extend({
  path: z.string(),
  args: z.array(z.string()),
  oomKilled: z.boolean(),
  restartCount: z.number().int(),
  config: z.object({
    hostname: z.string(),
    user: z.string(),
    env: z.array(z.string()),
    cmd: z.array(z.string()),
    entrypoint: z.array(z.string()).nullable(),
    workingDir: z.string(),
    tty: z.boolean(),
    openStdin: z.boolean(),
    stopSignal: z.string(),
    labels: z.record(z.string(), z.string()),
    /** the healthcheck in effect (image's merged with --health-*), durations in ms; absent: none */
    healthcheck: z.object({ test: z.array(z.string()), intervalMs: z.number(), timeoutMs: z.number(), startPeriodMs: z.number(), retries: z.number() }).optional(),
  }),
  hostConfig: z.object({
    memory: z.number().int(),
    /** memory + swap; 0 when there is no memory limit, -1 unlimited swap */
    memorySwap: z.number().int().optional(),
    nanoCpus: z.number().int(),
    pidsLimit: z.number().int(),
    networkMode: z.string(),
    autoRemove: z.boolean(),
    privileged: z.boolean().optional(),
    readonlyRootfs: z.boolean().optional(),
    capAdd: z.array(z.string()).optional(),
    capDrop: z.array(z.string()).optional(),
    /** seccomp=PROFILE-JSON is shown as "seccomp=<custom profile>" to keep inspect short */
    securityOpt: z.array(z.string()).optional(),
    devices: z.array(z.object({ pathOnHost: z.string(), pathInContainer: z.string(), permissions: z.string() })).optional(),
    sysctls: z.record(z.string(), z.string()).optional(),
    /** host or remap; with remap, the host ids container uid/gid 0 maps to */
    usernsMode: z.string().optional(),
    idMappings: z
      .object({ uid: z.object({ containerId: z.number().int(), hostId: z.number().int(), size: z.number().int() }), gid: z.object({ containerId: z.number().int(), hostId: z.number().int(), size: z.number().int() }) })
      .optional(),
    restartPolicy: z.object({ name: z.string(), maximumRetryCount: z.number().int() }).optional(),
    stopTimeout: z.number().int().optional(),
    /** Docker's HostConfig.LogConfig: always json-file; config holds max-size/max-file when set */
    logConfig: z.object({ type: z.string(), config: z.record(z.string(), z.string()) }).optional(),
    /** --init */
    init: z.boolean().optional(),
  }),
  /** Docker's State.Health: while the container runs with a healthcheck (and its last state after) */
  health: HealthState.optional(),
  logPath: z.string(),
  networkSettings: ContainerNetworkSettings.optional(),
  mounts: z.array(ContainerMountView).optional(),
});
export type ContainerInspect = z.infer<typeof ContainerInspect>;

export const LogLine = z.object({
  cursor: z.number().int().nonnegative(), // byte offset of the record in its log file: resume after it
  /** which file of a rotated log the cursor is in (its inode); absent for the only file */
  file: z.number().int().nonnegative().optional(),
  stream: z.enum(['stdout', 'stderr']),
  time: z.string(),
  text: z.string(),
});
export type LogLine = z.infer<typeof LogLine>;

/** A page of a log for the dashboard's viewer (see readLogPage in the runtime). */
export const LogPageQuery = z.object({
  from: z.enum(['head', 'tail', 'before', 'after']),
  anchor: z.object({ file: z.number().int().nonnegative(), cursor: z.number().int().nonnegative() }).optional(),
  limit: z.number().int().min(1).max(20_000).default(2000),
  grep: z.string().max(1000).optional(),
});
export const LogPage = z.object({ lines: z.array(LogLine), more: z.boolean() });
export type LogPage = z.infer<typeof LogPage>;

export const StatsSample = z.object({
  time: z.string(),
  cpuPercent: z.number(), // 100 = one full core
  cpuUsageNs: z.number(),
  memoryBytes: z.number(), // usage excluding page cache, as Docker reports it
  memoryLimitBytes: z.number().nullable(),
  pids: z.number().int(),
  pidsLimit: z.number().int().nullable(),
  /** block I/O from the cgroup; network I/O from the container's network namespace (issue 6) */
  blockReadBytes: z.number().optional(),
  blockWriteBytes: z.number().optional(),
  netRxBytes: z.number().optional(),
  netTxBytes: z.number().optional(),
  /** CFS periods in which the container was throttled, and for how long (cumulative) */
  throttledPeriods: z.number().optional(),
  throttledNs: z.number().optional(),
  /** times the kernel's OOM killer struck in the container's cgroup (cumulative) */
  oomKills: z.number().optional(),
});
export const StatsHistory = z.object({ startedAt: z.string().nullable(), stepMs: z.number(), samples: z.array(StatsSample) });
export type StatsHistory = z.infer<typeof StatsHistory>;
export type StatsSample = z.infer<typeof StatsSample>;
