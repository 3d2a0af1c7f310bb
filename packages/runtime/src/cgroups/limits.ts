// Checks limits once and converts Docker's units into what the kernel files take.
import { invalid } from '../errors';
import type { CgroupLimits } from './driver';

export const CPU_PERIOD_US = 100_000;
/** The kernel refuses quotas under 1ms. */
const MIN_QUOTA_US = 1000;

export function validateLimits(l: CgroupLimits): void {
  const int = (name: string, v: number | undefined, min: number) => {
    if (v === undefined) return;
    if (!Number.isSafeInteger(v) || v < min) throw invalid(`invalid ${name} ${v}: want an integer >= ${min}`);
  };
  int('memory limit', l.memoryBytes, -1);
  int('memory+swap limit', l.memorySwapBytes, -1);
  int('nano cpus', l.nanoCpus, 0);
  int('pids limit', l.pidsLimit, -1);
  if (l.cpuShares !== undefined && l.cpuShares !== 0) int('cpu shares', l.cpuShares, 2);
  if (l.cpuShares !== undefined && l.cpuShares > 262144) throw invalid(`invalid cpu shares ${l.cpuShares}: want at most 262144`);
  if (l.memorySwapBytes !== undefined && l.memorySwapBytes !== -1 && l.memorySwapBytes !== 0) {
    if (!l.memoryBytes || l.memoryBytes < 0) throw invalid('invalid memory+swap limit: it needs a memory limit');
    if (l.memorySwapBytes < l.memoryBytes) {
      throw invalid(`invalid memory+swap limit ${l.memorySwapBytes}: smaller than the memory limit ${l.memoryBytes}`);
    }
  }
}

/** cfs quota in µs for a period; null = unlimited. */
export function quotaFromNanoCpus(nanoCpus: number, periodUs = CPU_PERIOD_US): number | null {
  if (nanoCpus <= 0) return null;
  return Math.max(MIN_QUOTA_US, Math.round((nanoCpus * periodUs) / 1e9));
}

/** v1 shares [2, 262144] → v2 weight [1, 10000], the mapping runc and Docker use. */
export function sharesToWeight(shares: number): number {
  if (shares <= 0) return 100;
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** A limit value of 0 or -1 means "no limit". */
export const unlimited = (v: number) => v <= 0;
