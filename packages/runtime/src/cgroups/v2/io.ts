// cgroup v2 io: bytes read and written by the group, from io.stat ("MAJ:MIN rbytes=N wbytes=N ...").
import path from 'node:path';
import { readOptional } from '../files';

export function parseIoStat(text: string): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of text.split('\n')) {
    for (const [, k, v] of line.matchAll(/\b(rbytes|wbytes)=(\d+)/g)) {
      if (k === 'rbytes') readBytes += Number(v);
      else writeBytes += Number(v);
    }
  }
  return { readBytes, writeBytes };
}

/** undefined when the kernel does not account it (no such file) */
export async function ioStatsV2(dir: string): Promise<{ readBytes: number; writeBytes: number } | undefined> {
  const text = await readOptional(path.join(dir, 'io.stat'));
  return text === null ? undefined : parseIoStat(text);
}
