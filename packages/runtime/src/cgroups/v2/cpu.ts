// v2 cpu controller: cpu.max "quota period", cpu.weight from v1 shares, usage and throttling from
// cpu.stat (reported in µs; we return ns like v1).
import path from 'node:path';
import type { CgroupLimits } from '../driver';
import { parseKeyValues, readText, writeValue } from '../files';
import { CPU_PERIOD_US, quotaFromNanoCpus, sharesToWeight } from '../limits';

export async function applyCpuV2(dir: string, l: CgroupLimits): Promise<void> {
  if (l.nanoCpus !== undefined) {
    await writeValue(path.join(dir, 'cpu.max'), `${quotaFromNanoCpus(l.nanoCpus) ?? 'max'} ${CPU_PERIOD_US}`);
  }
  if (l.cpuShares !== undefined) await writeValue(path.join(dir, 'cpu.weight'), sharesToWeight(l.cpuShares));
}

export async function cpuStatsV2(dir: string): Promise<{ usageNs: number; periods: number; throttledNs: number }> {
  const stat = parseKeyValues(await readText(path.join(dir, 'cpu.stat')));
  return {
    usageNs: (stat.get('usage_usec') ?? 0) * 1000,
    periods: stat.get('nr_throttled') ?? 0,
    throttledNs: (stat.get('throttled_usec') ?? 0) * 1000,
  };
}
