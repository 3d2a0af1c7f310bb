// v1 memory controller: memory.limit_in_bytes, memory.memsw.limit_in_bytes (only when the kernel
// accounts swap), usage without page cache, and OOM kills from memory.oom_control.
import path from 'node:path';
import type { CgroupLimits } from '../driver';
import { parseKeyValues, parseLimit, parseNumber, readOptional, readText, writeValue } from '../files';
import { unlimited } from '../limits';

const LIMIT = 'memory.limit_in_bytes';
const MEMSW = 'memory.memsw.limit_in_bytes';

export async function applyMemoryV1(dir: string, l: CgroupLimits): Promise<void> {
  if (l.memoryBytes === undefined) return;
  const memory = unlimited(l.memoryBytes) ? -1 : l.memoryBytes;
  // Without swap accounting (swapaccount=0) the file is absent and Docker ignores the swap limit too.
  const swapSupported = (await readOptional(path.join(dir, MEMSW))) !== null;
  const swap = swapSupported && l.memorySwapBytes !== undefined ? (unlimited(l.memorySwapBytes) ? -1 : l.memorySwapBytes) : undefined;
  if (swap === undefined) {
    await writeValue(path.join(dir, LIMIT), memory);
    return;
  }
  const current = parseLimit(await readText(path.join(dir, LIMIT)));
  for (const f of memoryWriteOrder(current, swap)) {
    await writeValue(path.join(dir, f === 'memory' ? LIMIT : MEMSW), f === 'memory' ? memory : swap);
  }
}

/**
 * The kernel keeps memory <= memory+swap at every step, so which file goes first depends on the
 * current memory limit (null = unlimited) and the new memory+swap (-1 = unlimited): raise
 * memory+swap first when it grows past the current memory limit, otherwise lower memory first.
 */
export function memoryWriteOrder(currentMemory: number | null, newSwap: number): ('memory' | 'memsw')[] {
  const swapFirst = newSwap === -1 || (currentMemory !== null && currentMemory < newSwap);
  return swapFirst ? ['memsw', 'memory'] : ['memory', 'memsw'];
}

export interface MemoryStatsV1 {
  usageBytes: number;
  limitBytes: number | null;
  oomKills: number;
}

export async function memoryStatsV1(dir: string): Promise<MemoryStatsV1> {
  const usageFile = path.join(dir, 'memory.usage_in_bytes');
  const [usageText, statText, limitText, oomText] = await Promise.all([
    readText(usageFile),
    readText(path.join(dir, 'memory.stat')),
    readText(path.join(dir, LIMIT)),
    readOptional(path.join(dir, 'memory.oom_control')),
  ]);
  const usage = parseNumber(usageText, usageFile);
  // Docker's "usage" leaves out reclaimable page cache: the hierarchical inactive file pages.
  const inactive = parseKeyValues(statText).get('total_inactive_file') ?? 0;
  return {
    usageBytes: inactive < usage ? usage - inactive : usage,
    limitBytes: parseLimit(limitText),
    oomKills: oomText === null ? 0 : (parseKeyValues(oomText).get('oom_kill') ?? 0),
  };
}
