// v1 cpu controller: CFS quota/period from NanoCpus, shares, and throttling from cpu.stat.
import path from 'node:path';
import type { CgroupLimits } from '../driver';
import { parseKeyValues, readText, writeValue } from '../files';
import { CPU_PERIOD_US, quotaFromNanoCpus } from '../limits';

export async function applyCpuV1(dir: string, l: CgroupLimits): Promise<void> {
  if (l.nanoCpus !== undefined) {
    await writeValue(path.join(dir, 'cpu.cfs_period_us'), CPU_PERIOD_US);
    await writeValue(path.join(dir, 'cpu.cfs_quota_us'), quotaFromNanoCpus(l.nanoCpus) ?? -1);
  }
  if (l.cpuShares !== undefined) {
    await writeValue(path.join(dir, 'cpu.shares'), l.cpuShares > 0 ? l.cpuShares : 1024);
  }
}

export async function cpuThrottlingV1(dir: string): Promise<{ periods: number; throttledNs: number }> {
  const stat = parseKeyValues(await readText(path.join(dir, 'cpu.stat')));
  // v1 reports throttled_time in nanoseconds already.
  return { periods: stat.get('nr_throttled') ?? 0, throttledNs: stat.get('throttled_time') ?? 0 };
}
