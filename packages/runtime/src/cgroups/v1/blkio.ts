// cgroup v1 blkio: bytes read and written by the group, from blkio.throttle.io_service_bytes
// ("MAJ:MIN Read N" lines; the CFQ-only blkio.io_service_bytes is empty on modern schedulers).
import path from 'node:path';
import { readOptional } from '../files';

export function parseBlkioServiceBytes(text: string): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of text.split('\n')) {
    const m = /^\d+:\d+ (Read|Write) (\d+)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === 'Read') readBytes += Number(m[2]);
    else writeBytes += Number(m[2]);
  }
  return { readBytes, writeBytes };
}

/** undefined when the kernel does not account it (no such file) */
export async function blkioStatsV1(dir: string): Promise<{ readBytes: number; writeBytes: number } | undefined> {
  const text = await readOptional(path.join(dir, 'blkio.throttle.io_service_bytes'));
  return text === null ? undefined : parseBlkioServiceBytes(text);
}
