// The cgroup driver interface: what the runtime asks of cgroups, whichever version the host runs.
// Implementations live beside it (v1/, v2/); detect.ts picks one from /proc/self/mountinfo.

export interface CgroupLimits {
  /** memory limit in bytes; 0 or -1 means unlimited */
  memoryBytes?: number;
  /** memory + swap in bytes, Docker's --memory-swap; -1 means unlimited swap. Needs memoryBytes. */
  memorySwapBytes?: number;
  /** CPU quota in billionths of a CPU (Docker's NanoCpus); 0 means unlimited */
  nanoCpus?: number;
  /** relative CPU weight in v1 shares (2..262144); v2 converts it to cpu.weight */
  cpuShares?: number;
  /** maximum number of tasks; 0 or -1 means unlimited */
  pidsLimit?: number;
  /** device access: Docker's standard nodes only, or every device (--privileged); absent: untouched */
  devices?: 'default' | 'all';
  /** --device: extra allow rules ("c 1:3 rw") on top of the default list. v1 writes them to
   * devices.allow; v2 has no devices file (filtering needs an eBPF program), see docs. */
  deviceRules?: string[];
}

export interface CgroupStats {
  cpuUsageNs: number;
  throttledPeriods: number;
  throttledNs: number;
  /** excluding page cache like Docker: v1 usage - total_inactive_file, v2 memory.current - inactive_file */
  memoryUsageBytes: number;
  memoryLimitBytes: number | null;
  oomKills: number;
  pids: number;
  pidsLimit: number | null;
  /** bytes read from / written to block devices (v1 blkio, v2 io.stat); absent when not accounted */
  blockReadBytes?: number;
  blockWriteBytes?: number;
}

export interface CgroupDriver {
  readonly version: 1 | 2;
  /** Creates the group (under a `berth` parent group) and applies limits; idempotent. */
  create(id: string, limits: CgroupLimits): Promise<void>;
  /** Absolute cgroup.procs paths the helper writes the container pid into. */
  procsFiles(id: string): string[];
  stats(id: string): Promise<CgroupStats>;
  /** Pids in the group and any sub-groups the container made. */
  pids(id: string): Promise<number[]>;
  /** Signals every pid in the group (SIGKILL by default). */
  killAll(id: string, signal?: NodeJS.Signals): Promise<void>;
  /** Removes the group(s); retries while EBUSY for ~2s after killing stragglers; a missing group is fine. */
  remove(id: string): Promise<void>;
  exists(id: string): Promise<boolean>;
  /** Freezes every task in the group (pause): v1 freezer.state, v2 cgroup.freeze; resolves once frozen. */
  freeze(id: string): Promise<void>;
  thaw(id: string): Promise<void>;
  frozen(id: string): Promise<boolean>;
}

/** The two privileged directory operations, behind a seam so fixture tests can act as the kernel. */
export interface CgroupFs {
  /** creates one directory; an existing one is fine */
  mkdir(path: string): Promise<void>;
  /** removes one cgroup directory (the kernel lets rmdir remove a dir full of control files) */
  rmdir(path: string): Promise<void>;
}

/** The parent group every Berth container group lives under. */
export const BERTH_PARENT = 'berth';
