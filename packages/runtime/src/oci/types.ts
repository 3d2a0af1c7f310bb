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
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export type OciNamespaceType = 'pid' | 'mount' | 'uts' | 'ipc' | 'network' | 'cgroup';

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
  openStdin?: boolean;
  waitForAttach?: boolean;
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
  };
  berth: BerthExtension;
}
