// v1 cpuacct controller: total CPU time of the group in nanoseconds.
import path from 'node:path';
import { parseNumber, readText } from '../files';

export async function cpuUsageV1(dir: string): Promise<number> {
  const file = path.join(dir, 'cpuacct.usage');
  return parseNumber(await readText(file), file);
}
