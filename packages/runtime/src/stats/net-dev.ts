// Network I/O of a container: /proc/<init pid>/net/dev shows its network namespace's interfaces;
// loopback is left out, as in docker stats.
import fs from 'node:fs';

export function parseNetDev(text: string): { rxBytes: number; txBytes: number } {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    rxBytes += f[0] || 0;
    txBytes += f[8] || 0;
  }
  return { rxBytes, txBytes };
}

export function readNetDev(pid: number): { rxBytes: number; txBytes: number } | undefined {
  try {
    return parseNetDev(fs.readFileSync(`/proc/${pid}/net/dev`, 'utf8'));
  } catch {
    return undefined;
  }
}
