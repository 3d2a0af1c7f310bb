// cgroup v2 driver: one unified hierarchy rooted at `root` (normally /sys/fs/cgroup). A container
// gets <root>/berth/<id>; controllers are enabled top-down through cgroup.subtree_control.
import path from 'node:path';
import { BERTH_PARENT, type CgroupDriver, type CgroupFs, type CgroupLimits, type CgroupStats } from '../driver';
import {
  pathExists,
  readOptional,
  readPidsTree,
  realFs,
  removeGroupDirs,
  signalPids,
  sleep,
  validateId,
  writeValue,
} from '../files';
import { validateLimits } from '../limits';
import { applyCpuV2, cpuStatsV2 } from './cpu';
import { applyMemoryV2, memoryStatsV2 } from './memory';
import { applyPidsV2, pidsStatsV2 } from './pids';
import { ioStatsV2 } from './io';

/** Controllers delegated to container groups when the kernel offers them. */
const WANTED = ['cpu', 'cpuset', 'io', 'memory', 'pids'];

export interface CgroupV2Options {
  fs?: CgroupFs;
  removeTimeoutMs?: number;
}

export class CgroupV2 implements CgroupDriver {
  readonly version = 2 as const;
  private readonly fs: CgroupFs;
  private readonly removeTimeoutMs: number;

  constructor(
    private readonly root: string,
    opts: CgroupV2Options = {},
  ) {
    this.fs = opts.fs ?? realFs;
    this.removeTimeoutMs = opts.removeTimeoutMs ?? 2000;
  }

  private dir(id: string): string {
    return path.join(this.root, BERTH_PARENT, validateId(id));
  }

  async create(id: string, limits: CgroupLimits): Promise<void> {
    const dir = this.dir(id);
    validateLimits(limits);
    const parent = path.dirname(dir);
    await enableControllers(this.root);
    await this.fs.mkdir(parent);
    await enableControllers(parent);
    await this.fs.mkdir(dir);
    await applyMemoryV2(dir, limits);
    await applyCpuV2(dir, limits);
    await applyPidsV2(dir, limits);
  }

  procsFiles(id: string): string[] {
    return [path.join(this.dir(id), 'cgroup.procs')];
  }

  async stats(id: string): Promise<CgroupStats> {
    const dir = this.dir(id);
    const [mem, cpu, pids] = await Promise.all([memoryStatsV2(dir), cpuStatsV2(dir), pidsStatsV2(dir)]);
    return {
      cpuUsageNs: cpu.usageNs,
      throttledPeriods: cpu.periods,
      throttledNs: cpu.throttledNs,
      memoryUsageBytes: mem.usageBytes,
      memoryLimitBytes: mem.limitBytes,
      oomKills: mem.oomKills,
      pids: pids.current,
      pidsLimit: pids.limit,
      ...(await ioStatsV2(dir).then((b) => (b ? { blockReadBytes: b.readBytes, blockWriteBytes: b.writeBytes } : {}))),
    };
  }

  async pids(id: string): Promise<number[]> {
    return readPidsTree(this.dir(id));
  }

  async killAll(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const dir = this.dir(id);
    // cgroup.kill (5.14+) kills the whole subtree atomically, forks included.
    const killFile = path.join(dir, 'cgroup.kill');
    if (signal === 'SIGKILL' && (await readOptional(killFile)) !== null) {
      await writeValue(killFile, 1);
      return;
    }
    signalPids(await this.pids(id), signal);
  }

  async remove(id: string): Promise<void> {
    await removeGroupDirs(this.fs, [this.dir(id)], () => this.killAll(id, 'SIGKILL'), this.removeTimeoutMs);
  }

  async exists(id: string): Promise<boolean> {
    return pathExists(this.dir(id));
  }

  async freeze(id: string): Promise<void> {
    const dir = this.dir(id);
    await writeValue(path.join(dir, 'cgroup.freeze'), 1);
    // cgroup.events says "frozen 1" once every task stopped (a fixture without the file: done)
    for (let i = 0; i < 200; i++) {
      const ev = await readOptional(path.join(dir, 'cgroup.events'));
      if (ev === null || !/^frozen /m.test(ev) || /^frozen 1$/m.test(ev)) return;
      await sleep(10);
    }
  }

  async thaw(id: string): Promise<void> {
    await writeValue(path.join(this.dir(id), 'cgroup.freeze'), 0);
  }

  async frozen(id: string): Promise<boolean> {
    return ((await readOptional(path.join(this.dir(id), 'cgroup.freeze'))) ?? '0').trim() === '1';
  }
}

/** Turns on, in dir's cgroup.subtree_control, each wanted controller dir itself has. */
async function enableControllers(dir: string): Promise<void> {
  const available = ((await readOptional(path.join(dir, 'cgroup.controllers'))) ?? '').trim().split(/\s+/);
  const file = path.join(dir, 'cgroup.subtree_control');
  const enabled = ((await readOptional(file)) ?? '').trim().split(/\s+/);
  const missing = WANTED.filter((c) => available.includes(c) && !enabled.includes(c));
  if (missing.length === 0) return;
  try {
    await writeValue(file, missing.map((c) => `+${c}`).join(' '));
  } catch {
    // The kernel refuses the whole write if any one is refused; retry one at a time and let only
    // the controllers limits depend on be fatal.
    for (const c of missing) {
      try {
        await writeValue(file, `+${c}`);
      } catch (e) {
        if (c === 'memory' || c === 'cpu' || c === 'pids') throw e;
      }
    }
  }
}
