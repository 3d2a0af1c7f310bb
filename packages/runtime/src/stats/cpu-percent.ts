// CPU percentage between two samples, the way `docker stats` shows it: 100 = one core busy.

export interface CpuSample {
  /** cumulative CPU time of the container, ns (CgroupStats.cpuUsageNs) */
  cpuUsageNs: number;
  /** wall-clock time the sample was taken, ns (any monotonic clock, same for both samples) */
  timeNs: number;
}

/** usage delta / wall delta * 100; 0 when the interval is empty or the counter went backwards (restart). */
export function cpuPercent(prev: CpuSample, cur: CpuSample): number {
  const wall = cur.timeNs - prev.timeNs;
  const used = cur.cpuUsageNs - prev.cpuUsageNs;
  if (!(wall > 0) || !(used > 0)) return 0;
  return (used / wall) * 100;
}
