// A temp-dir stand-in for cgroupfs: mkdir fills a new group with the control files the kernel
// would show, rmdir removes a group full of files (as cgroupfs allows) but answers EBUSY while
// live tasks or sub-groups remain. Records every call so tests can assert on them.
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CgroupFs } from '../../src/cgroups/driver';

export type Populate = (dir: string) => Record<string, string>;

function busy(p: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EBUSY: resource busy, rmdir '${p}'`), { code: 'EBUSY' });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class FakeKernel implements CgroupFs {
  readonly calls: string[] = [];
  /** groups that stay busy whatever happens (to exercise remove()'s deadline) */
  readonly stuck = new Set<string>();
  constructor(private readonly populate: Populate) {}

  async mkdir(p: string): Promise<void> {
    this.calls.push(`mkdir ${p}`);
    if (existsSync(p)) return;
    await fs.mkdir(p);
    for (const [name, text] of Object.entries(this.populate(p))) await fs.writeFile(path.join(p, name), text);
  }

  async rmdir(p: string): Promise<void> {
    this.calls.push(`rmdir ${p}`);
    if (!existsSync(p)) throw Object.assign(new Error(`ENOENT: rmdir '${p}'`), { code: 'ENOENT' });
    if (this.stuck.has(p)) throw busy(p);
    const entries = await fs.readdir(p, { withFileTypes: true });
    if (entries.some((e) => e.isDirectory())) throw busy(p);
    const procs = await fs.readFile(path.join(p, 'cgroup.procs'), 'utf8').catch(() => '');
    const live = procs.split('\n').filter((l) => l.trim() !== '' && alive(Number(l)));
    if (live.length > 0) throw busy(p);
    await fs.rm(p, { recursive: true });
  }
}

/** Writes files (relative to root), creating directories. */
export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(root, rel);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, text);
  }
}
