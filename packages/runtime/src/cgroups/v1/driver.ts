// cgroup v1 driver: one hierarchy per controller (some co-mounted, e.g. cpu,cpuacct). A container
// gets <mount>/berth/<id> in every mounted hierarchy it uses; limits go to the controller's own
// files. Mounts are passed in so tests can point it at a fixture tree.
import path from 'node:path';
import { precondition } from '../../errors';
import { BERTH_PARENT, type CgroupDriver, type CgroupFs, type CgroupLimits, type CgroupStats } from '../driver';
import {
  readOptional,
  readPidsTree,
  pathExists,
  realFs,
  removeGroupDirs,
  signalPids,
  sleep,
  validateId,
  writeValue,
} from '../files';
import { validateLimits } from '../limits';
import { applyCpuV1, cpuThrottlingV1 } from './cpu';
import { cpuUsageV1 } from './cpuacct';
import { inheritCpusetV1 } from './cpuset';
import { applyMemoryV1, memoryStatsV1 } from './memory';
import { applyPidsV1, pidsStatsV1 } from './pids';
import { applyDevicesV1 } from './devices';
import { blkioStatsV1 } from './blkio';

/** Controllers Berth places containers in; devices/freezer/blkio carry no limits yet. */
export const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'cpuset', 'pids', 'devices', 'freezer', 'blkio'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];
export type V1Mounts = Partial<Record<V1Controller, string>>;

export interface CgroupV1Options {
  fs?: CgroupFs;
  /** how long remove() keeps retrying a busy group */
  removeTimeoutMs?: number;
}

export class CgroupV1 implements CgroupDriver {
  readonly version = 1 as const;
  private readonly mounts: V1Mounts;
  private readonly fs: CgroupFs;
  private readonly removeTimeoutMs: number;

  constructor(mounts: V1Mounts | Record<string, string>, opts: CgroupV1Options = {}) {
    const known: V1Mounts = {};
    for (const c of V1_CONTROLLERS) {
      const m = (mounts as Record<string, string | undefined>)[c];
      if (m) known[c] = m;
    }
    this.mounts = known;
    this.fs = opts.fs ?? realFs;
    this.removeTimeoutMs = opts.removeTimeoutMs ?? 2000;
  }

  /** The group directory in one controller's hierarchy, or undefined when it isn't mounted. */
  private dir(controller: V1Controller, id: string): string | undefined {
    const m = this.mounts[controller];
    return m === undefined ? undefined : path.join(m, BERTH_PARENT, validateId(id));
  }

  private need(controller: V1Controller, id: string, why: string): string {
    const d = this.dir(controller, id);
    if (d === undefined) throw precondition(`cgroup v1 controller ${controller} is not mounted (needed for ${why})`);
    return d;
  }

  /** Distinct group directories: co-mounted controllers share one. */
  private dirs(id: string): string[] {
    validateId(id);
    const out: string[] = [];
    for (const c of V1_CONTROLLERS) {
      const d = this.dir(c, id);
      if (d !== undefined && !out.includes(d)) out.push(d);
    }
    return out;
  }

  async create(id: string, limits: CgroupLimits): Promise<void> {
    validateId(id);
    validateLimits(limits);
    if (limits.memoryBytes !== undefined) this.need('memory', id, 'a memory limit');
    if (limits.nanoCpus !== undefined || limits.cpuShares !== undefined) this.need('cpu', id, 'a cpu limit');
    if (limits.pidsLimit !== undefined) this.need('pids', id, 'a pids limit');

    for (const dir of this.dirs(id)) {
      await this.fs.mkdir(path.dirname(dir));
      await this.fs.mkdir(dir);
    }
    const cpuset = this.dir('cpuset', id);
    if (cpuset !== undefined) {
      await inheritCpusetV1(path.dirname(cpuset)); // the berth parent first: it is new too
      await inheritCpusetV1(cpuset);
    }
    const memory = this.dir('memory', id);
    if (memory !== undefined) await applyMemoryV1(memory, limits);
    const cpu = this.dir('cpu', id);
    if (cpu !== undefined) await applyCpuV1(cpu, limits);
    const pids = this.dir('pids', id);
    if (pids !== undefined) await applyPidsV1(pids, limits);
    const devices = this.dir('devices', id);
    if (devices !== undefined) await applyDevicesV1(devices, limits);
  }

  procsFiles(id: string): string[] {
    return this.dirs(id).map((d) => path.join(d, 'cgroup.procs'));
  }

  async stats(id: string): Promise<CgroupStats> {
    const memDir = this.need('memory', id, 'memory stats');
    const cpuDir = this.dir('cpu', id);
    const acctDir = this.need('cpuacct', id, 'cpu usage');
    const pidsDir = this.dir('pids', id);
    const blkioDir = this.dir('blkio', id);
    const [mem, usage, throttling, pids] = await Promise.all([
      memoryStatsV1(memDir),
      cpuUsageV1(acctDir),
      cpuDir === undefined ? { periods: 0, throttledNs: 0 } : cpuThrottlingV1(cpuDir),
      pidsDir === undefined ? this.pids(id).then((p) => ({ current: p.length, limit: null })) : pidsStatsV1(pidsDir),
    ]);
    return {
      cpuUsageNs: usage,
      throttledPeriods: throttling.periods,
      throttledNs: throttling.throttledNs,
      memoryUsageBytes: mem.usageBytes,
      memoryLimitBytes: mem.limitBytes,
      oomKills: mem.oomKills,
      pids: pids.current,
      pidsLimit: pids.limit,
      ...(blkioDir !== undefined ? await blkioStatsV1(blkioDir).then((b) => (b ? { blockReadBytes: b.readBytes, blockWriteBytes: b.writeBytes } : {})) : {}),
    };
  }

  async pids(id: string): Promise<number[]> {
    // Every hierarchy holds the same tasks; the pids (or memory) one is as good as any.
    const dir = this.dir('pids', id) ?? this.dir('memory', id) ?? this.dirs(id)[0];
    return dir === undefined ? [] : readPidsTree(dir);
  }

  async killAll(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const freezer = this.dir('freezer', id);
    // Freezing first stops a forking process from adding pids while we walk the list.
    const freeze = signal === 'SIGKILL' && freezer !== undefined && (await pathExists(freezer));
    if (freeze) await setFreezerState(freezer, 'FROZEN');
    try {
      signalPids(await this.pids(id), signal);
    } finally {
      if (freeze) await setFreezerState(freezer, 'THAWED');
    }
  }

  async remove(id: string): Promise<void> {
    await removeGroupDirs(this.fs, this.dirs(id), () => this.killAll(id, 'SIGKILL'), this.removeTimeoutMs);
  }

  async exists(id: string): Promise<boolean> {
    for (const d of this.dirs(id)) if (await pathExists(d)) return true;
    return false;
  }

  async freeze(id: string): Promise<void> {
    const file = path.join(this.need('freezer', id, 'pause'), 'freezer.state');
    await writeValue(file, 'FROZEN');
    // the kernel passes through FREEZING while it stops every task
    for (let i = 0; i < 200; i++) {
      if (((await readOptional(file)) ?? '').trim() === 'FROZEN') return;
      await sleep(10);
    }
    await writeValue(file, 'THAWED').catch(() => {});
    throw precondition(`cgroup ${id} did not freeze within 2s`);
  }

  async thaw(id: string): Promise<void> {
    await writeValue(path.join(this.need('freezer', id, 'unpause'), 'freezer.state'), 'THAWED');
  }

  async frozen(id: string): Promise<boolean> {
    const d = this.dir('freezer', id);
    if (d === undefined) return false;
    return ['FROZEN', 'FREEZING'].includes(((await readOptional(path.join(d, 'freezer.state'))) ?? '').trim());
  }
}

/** Writes the freezer state and waits (briefly) for the kernel to get there. */
async function setFreezerState(dir: string, state: 'FROZEN' | 'THAWED'): Promise<void> {
  const file = path.join(dir, 'freezer.state');
  await writeValue(file, state);
  for (let i = 0; i < 100; i++) {
    const now = (await readOptional(file))?.trim();
    if (now === undefined || now === state) return;
    await sleep(10);
  }
}
