// The subset of the OCI runtime-spec config.json that berth-helper reads, plus the top-level
// "berth" object (runc and crun ignore it). See docs/native-helper.md.

export interface OciUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

export interface OciCapabilities {
  bounding?: string[];
  effective?: string[];
  permitted?: string[];
  inheritable?: string[];
  ambient?: string[];
}

export interface OciRlimit {
  type: string; // "RLIMIT_NOFILE"
  hard: number;
  soft: number;
}

export interface OciProcess {
  terminal?: boolean;
  user: OciUser;
  args: string[];
  env: string[];
  cwd: string;
  capabilities?: OciCapabilities;
  rlimits?: OciRlimit[];
  noNewPrivileges?: boolean;
}

/** exec's --process file: an OCI process plus the user to resolve inside the container. */
export interface ExecProcessSpec extends Partial<OciProcess> {
  args: string[];
  berthUser?: string;
  /** the container's linux.seccomp, applied to the exec'd process too */
  seccomp?: OciSeccomp;
}

export type OciSeccompAction =
  | 'SCMP_ACT_ALLOW'
  | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_KILL'
  | 'SCMP_ACT_KILL_THREAD'
  | 'SCMP_ACT_KILL_PROCESS'
  | 'SCMP_ACT_TRAP'
  | 'SCMP_ACT_TRACE'
  | 'SCMP_ACT_LOG';

export interface OciSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';
}

export interface OciSeccompSyscall {
  names: string[];
  action: OciSeccompAction;
  errnoRet?: number;
  args?: OciSeccompArg[];
}

/** OCI linux.seccomp, applied by the helper with libseccomp right before execve. */
export interface OciSeccomp {
  defaultAction: OciSeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  syscalls?: OciSeccompSyscall[];
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export type OciNamespaceType = 'pid' | 'mount' | 'uts' | 'ipc' | 'network' | 'cgroup' | 'user';

export interface OciNamespace {
  type: OciNamespaceType;
  path?: string;
}

export interface BerthExtension {
  /** Mounted on root.path before the config's mounts (e.g. the overlay of the image layers). */
  rootfsMount?: { type: string; source: string; options: string[] };
  /** cgroup.procs files the init's pid is written into before it runs. */
  cgroupProcs: string[];
  /** "name[:group]" resolved in the container's /etc/passwd and /etc/group; overrides process.user. */
  user?: string;
  logPath: string;
  /** json-file rotation (--log-opt max-size / max-file): the monitor renames PATH -> PATH.1 ... */
  logMaxSize?: number;
  logMaxFile?: number;
  openStdin?: boolean;
  waitForAttach?: boolean;
  /** run --init: the static berth-init on the host; the helper copies it into a sealed memfd before
   * pivot_root and execs it as PID 1 (`berth-init -- ARGS...`) */
  initPath?: string;
}

/** OCI linux.devices[] */
export interface OciDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
  /** Berth: the host node, bind-mounted instead of mknod in a user namespace (--userns=remap) */
  berthHostPath?: string;
}

/** OCI linux.uidMappings[] / gidMappings[] */
export interface OciIdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts: OciMount[];
  linux: {
    namespaces: OciNamespace[];
    maskedPaths?: string[];
    readonlyPaths?: string[];
    seccomp?: OciSeccomp;
    /** --device: nodes the helper makes inside the container (resolved in its root) */
    devices?: OciDevice[];
    /** --sysctl: written through the container's own /proc/sys before its process starts */
    sysctl?: Record<string, string>;
    /** --userns=remap: the user namespace's maps (with a { type: 'user' } namespace) */
    uidMappings?: OciIdMapping[];
    gidMappings?: OciIdMapping[];
  };
  berth: BerthExtension;
}
