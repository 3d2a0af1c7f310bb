// v2 memory controller: memory.max, memory.swap.max (swap alone, unlike v1's memory+swap),
// usage without page cache, and OOM kills from memory.events.
import path from 'node:path';
import type { CgroupLimits } from '../driver';
import { parseKeyValues, parseLimit, parseNumber, readOptional, readText, writeValue } from '../files';
import { unlimited } from '../limits';

export async function applyMemoryV2(dir: string, l: CgroupLimits): Promise<void> {
  if (l.memoryBytes === undefined) return;
  const memoryUnlimited = unlimited(l.memoryBytes);
  await writeValue(path.join(dir, 'memory.max'), memoryUnlimited ? 'max' : l.memoryBytes);
  if (l.memorySwapBytes === undefined) return;
  const swapFile = path.join(dir, 'memory.swap.max');
  if ((await readOptional(swapFile)) === null) return; // no swap accounting: ignored, as Docker does
  const swap = unlimited(l.memorySwapBytes) || memoryUnlimited ? 'max' : l.memorySwapBytes - l.memoryBytes;
  await writeValue(swapFile, swap);
}

export interface MemoryStatsV2 {
  usageBytes: number;
  limitBytes: number | null;
  oomKills: number;
}

export async function memoryStatsV2(dir: string): Promise<MemoryStatsV2> {
  const currentFile = path.join(dir, 'memory.current');
  const [current, stat, max, events] = await Promise.all([
    readText(currentFile),
    readText(path.join(dir, 'memory.stat')),
    readText(path.join(dir, 'memory.max')),
    readOptional(path.join(dir, 'memory.events')),
  ]);
  const usage = parseNumber(current, currentFile);
  const inactive = parseKeyValues(stat).get('inactive_file') ?? 0;
  return {
    usageBytes: inactive < usage ? usage - inactive : usage,
    limitBytes: parseLimit(max),
    oomKills: events === null ? 0 : (parseKeyValues(events).get('oom_kill') ?? 0),
  };
}
