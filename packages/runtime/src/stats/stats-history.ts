// Stats history since each container started, for the dashboard's charts: every running container
// is sampled every `intervalMs`; when a series reaches `max` samples, neighbouring pairs are merged
// (resolution halves), so a container up for days keeps its whole history in bounded memory. A
// restart starts a new series, as "since the container started" says.
import type { StatsSample } from '@berth/shared';
import type { StatsService } from './stats-service';
import type { CpuSample } from './cpu-percent';

interface Series {
  startedAt: string;
  prev?: CpuSample;
  samples: StatsSample[];
  /** milliseconds one sample stands for now */
  stepMs: number;
}

export interface RunningContainer {
  id: string;
  startedAt: string | null;
}

export class StatsHistory {
  private readonly series = new Map<string, Series>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly stats: StatsService,
    private readonly running: () => RunningContainer[],
    private readonly opts: { intervalMs?: number; max?: number } = {},
  ) {}

  get intervalMs() {
    return this.opts.intervalMs ?? 2000;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The kept samples of the container's current run, oldest first, and how long each one spans. */
  get(id: string): { startedAt: string | null; stepMs: number; samples: StatsSample[] } {
    const s = this.series.get(id);
    return s ? { startedAt: s.startedAt, stepMs: s.stepMs, samples: s.samples.slice() } : { startedAt: null, stepMs: this.intervalMs, samples: [] };
  }

  /** One round: a sample for every running container; series of gone containers are dropped. */
  async tick(): Promise<void> {
    if (this.busy) return; // a slow round (many containers) is not stacked
    this.busy = true;
    try {
      const live = this.running().filter((c): c is RunningContainer & { startedAt: string } => c.startedAt !== null);
      const ids = new Set(live.map((c) => c.id));
      for (const id of this.series.keys()) if (!ids.has(id)) this.series.delete(id);
      for (const c of live) {
        let s = this.series.get(c.id);
        if (!s || s.startedAt !== c.startedAt) {
          s = { startedAt: c.startedAt, samples: [], stepMs: this.intervalMs };
          this.series.set(c.id, s);
        }
        try {
          const r = await this.stats.sample(c.id, s.prev);
          s.prev = r.cpu;
          s.samples.push(r.sample);
          if (s.samples.length >= (this.opts.max ?? 720)) {
            s.samples = decimate(s.samples);
            s.stepMs *= 2;
          }
        } catch {
          /* stopped between the list and the sample */
        }
      }
    } finally {
      this.busy = false;
    }
  }
}

/** Pairs merged into one: mean CPU, peak memory and pids, the later counters and limits. */
export function decimate(samples: StatsSample[]): StatsSample[] {
  const out: StatsSample[] = [];
  for (let i = 0; i < samples.length; i += 2) {
    const a = samples[i]!;
    const b = samples[i + 1];
    if (!b) {
      out.push(a);
      continue;
    }
    out.push({
      ...b,
      cpuPercent: Math.round(((a.cpuPercent + b.cpuPercent) / 2) * 100) / 100,
      memoryBytes: Math.max(a.memoryBytes, b.memoryBytes),
      pids: Math.max(a.pids, b.pids),
    });
  }
  return out;
}
