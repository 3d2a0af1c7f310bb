// v2 pids controller: pids.max and pids.current.
import path from 'node:path';
import type { CgroupLimits } from '../driver';
import { parseLimit, parseNumber, readText, writeValue } from '../files';
import { unlimited } from '../limits';

export async function applyPidsV2(dir: string, l: CgroupLimits): Promise<void> {
  if (l.pidsLimit === undefined) return;
  await writeValue(path.join(dir, 'pids.max'), unlimited(l.pidsLimit) ? 'max' : l.pidsLimit);
}

export async function pidsStatsV2(dir: string): Promise<{ current: number; limit: number | null }> {
  const currentFile = path.join(dir, 'pids.current');
  const [current, max] = await Promise.all([readText(currentFile), readText(path.join(dir, 'pids.max'))]);
  return { current: parseNumber(current, currentFile), limit: parseLimit(max) };
}
