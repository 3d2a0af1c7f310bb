// Live resource samples for containers, read from their cgroup files (never from the process
// table), with CPU % computed between consecutive samples.
import type { StatsSample } from '@berth/shared';
import type { CgroupDriver } from '../cgroups/driver';
import { cpuPercent, type CpuSample } from './cpu-percent';

export class StatsService {
  private readonly last = new Map<string, CpuSample>();

  constructor(private readonly cgroups: CgroupDriver) {}

  /** One sample; CPU % is relative to the previous call for the same container (0 the first time). */
  async sample(id: string, prev?: CpuSample): Promise<{ sample: StatsSample; cpu: CpuSample }> {
    const s = await this.cgroups.stats(id);
    const cpu = { cpuUsageNs: s.cpuUsageNs, timeNs: Number(process.hrtime.bigint()) };
    const before = prev ?? this.last.get(id);
    this.last.set(id, cpu);
    return {
      cpu,
      sample: {
        time: new Date().toISOString(),
        cpuPercent: before ? Math.round(cpuPercent(before, cpu) * 100) / 100 : 0,
        cpuUsageNs: s.cpuUsageNs,
        memoryBytes: s.memoryUsageBytes,
        memoryLimitBytes: s.memoryLimitBytes,
        pids: s.pids,
        pidsLimit: s.pidsLimit,
        throttledPeriods: s.throttledPeriods,
        throttledNs: s.throttledNs,
        oomKills: s.oomKills,
        ...(s.blockReadBytes !== undefined ? { blockReadBytes: s.blockReadBytes, blockWriteBytes: s.blockWriteBytes ?? 0 } : {}),
      },
    };
  }

  /** Samples every `intervalMs` while `isRunning()`; the first sample comes at once. */
  async *stream(id: string, isRunning: () => boolean, signal?: AbortSignal, intervalMs = 1000): AsyncGenerator<StatsSample> {
    let prev: CpuSample | undefined;
    // a short first interval gives a meaningful CPU % right away
    const first = await this.sample(id).catch(() => undefined);
    if (first) prev = first.cpu;
    await sleep(Math.min(250, intervalMs), signal);
    while (!signal?.aborted && isRunning()) {
      let res;
      try {
        res = await this.sample(id, prev);
      } catch {
        return; // the group went away: the container stopped
      }
      prev = res.cpu;
      yield res.sample;
      await sleep(intervalMs, signal);
    }
  }

  forget(id: string) {
    this.last.delete(id);
  }
}

function sleep(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
