// Picks the cgroup driver from /proc/self/mountinfo. v2 only when the unified hierarchy is mounted
// at /sys/fs/cgroup itself or holds the memory controller; otherwise v1 (hybrid hosts mount a
// cgroup2 at /sys/fs/cgroup/unified that carries next to nothing).
import fs from 'node:fs';
import path from 'node:path';
import { precondition } from '../errors';
import type { CgroupDriver } from './driver';
import { CgroupV1, V1_CONTROLLERS, type V1Mounts } from './v1/driver';
import { CgroupV2 } from './v2/driver';

export interface CgroupMount {
  fstype: 'cgroup' | 'cgroup2';
  mountPoint: string;
  /** v1: the controllers in the super options (cpu, cpuacct, ...); v2: empty */
  controllers: string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseCgroupMounts(mountinfoText: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of mountinfoText.split('\n')) {
    // id parent maj:min root mountpoint opts [optional...] - fstype source superopts
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    if ((fstype !== 'cgroup' && fstype !== 'cgroup2') || left.length < 5) continue;
    const known = new Set<string>(V1_CONTROLLERS);
    out.push({
      fstype,
      mountPoint: unescape(left[4]!),
      controllers: fstype === 'cgroup' ? superOpts.split(',').filter((o) => known.has(o)) : [],
    });
  }
  return out;
}

export type ReadControllers = (mountPoint: string) => string | null;

const readControllersFile: ReadControllers = (mountPoint) => {
  try {
    return fs.readFileSync(path.join(mountPoint, 'cgroup.controllers'), 'utf8');
  } catch {
    return null;
  }
};

export function detectCgroups(
  mountinfoText: string = fs.readFileSync('/proc/self/mountinfo', 'utf8'),
  readControllers: ReadControllers = readControllersFile,
): CgroupDriver {
  const mounts = parseCgroupMounts(mountinfoText);
  const unified = mounts.filter((m) => m.fstype === 'cgroup2');
  const atRoot = unified.find((m) => m.mountPoint === '/sys/fs/cgroup');
  if (atRoot) return new CgroupV2(atRoot.mountPoint);
  const withMemory = unified.find((m) => (readControllers(m.mountPoint) ?? '').trim().split(/\s+/).includes('memory'));
  if (withMemory) return new CgroupV2(withMemory.mountPoint);

  const v1: V1Mounts = {};
  for (const m of mounts) {
    if (m.fstype !== 'cgroup') continue;
    for (const c of m.controllers as (keyof V1Mounts)[]) v1[c] ??= m.mountPoint; // the first mount wins
  }
  if (Object.keys(v1).length === 0) throw precondition('no cgroup hierarchy is mounted (looked in /proc/self/mountinfo)');
  return new CgroupV1(v1);
}
