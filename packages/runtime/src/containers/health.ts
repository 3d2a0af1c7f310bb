// Healthchecks as Docker runs them: every interval the probe runs inside the container (an exec,
// the same path as `berth exec`), is killed past its timeout, and its result moves the state:
// starting → healthy (exit 0) / unhealthy (after `retries` consecutive failures; failures while
// still starting within the start period do not count). The last 5 probes are kept. The probe
// and the clock are injected so the state machine is tested with fakes.
import type { HealthLogEntry, HealthState, HealthStatus } from '@berth/shared';
import type { ResolvedHealthcheck } from './record';

export const HEALTH_LOG_ENTRIES = 5;
export const HEALTH_OUTPUT_MAX = 4096;

export interface ProbeResult {
  exitCode: number;
  output: string;
}

export interface HealthClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: HealthClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface HealthDeps {
  /**
   * Runs `cmd` in the container; it must stop the process when `signal` aborts (the timeout).
   * null: no result this round (the container is exiting), nothing is recorded.
   */
  probe(id: string, cmd: string[], signal: AbortSignal): Promise<ProbeResult | null>;
  /** the status changed (starting → healthy, healthy → unhealthy, ...) */
  onStatus?(id: string, status: HealthStatus, previous: HealthStatus): void;
  /** after every probe: the new state (to keep it across an agent restart) */
  onUpdate?(id: string, state: HealthState): void;
  /** false: skip this round (a paused container) */
  shouldProbe?(id: string): boolean;
  clock?: HealthClock;
}

/** The argv a healthcheck test runs: CMD-SHELL through /bin/sh -c, CMD as given. */
export function probeCommand(test: string[]): string[] {
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test[1] ?? ''];
  if (test[0] === 'CMD') return test.slice(1);
  throw new Error(`unsupported healthcheck test ${JSON.stringify(test)}`);
}

/** Cuts output to at most `max` bytes of UTF-8 (Docker keeps 4 KiB of each probe's output). */
export function truncateOutput(s: string, max = HEALTH_OUTPUT_MAX): string {
  const b = Buffer.from(s, 'utf8');
  return b.length <= max ? s : b.subarray(0, max).toString('utf8').replace(/\uFFFD$/, '');
}

interface Run {
  config: ResolvedHealthcheck;
  startedAtMs: number;
  state: HealthState;
  timer: unknown;
  stopped: boolean;
  abort?: AbortController;
}

export class HealthChecker {
  private readonly runs = new Map<string, Run>();
  private readonly clock: HealthClock;

  constructor(private readonly d: HealthDeps) {
    this.clock = d.clock ?? realClock;
  }

  /** Starts probing `id` (replacing a previous run); `initial` resumes a state kept across an agent restart. */
  start(id: string, config: ResolvedHealthcheck, opts: { startedAtMs: number; initial?: HealthState }): void {
    this.stop(id);
    const run: Run = {
      config,
      startedAtMs: opts.startedAtMs,
      state: opts.initial ? structuredClone(opts.initial) : { status: 'starting', failingStreak: 0, log: [] },
      timer: undefined,
      stopped: false,
    };
    this.runs.set(id, run);
    this.schedule(id, run);
  }

  /** Stops probing (the container stopped or is gone); a probe in flight is killed. */
  stop(id: string): void {
    const run = this.runs.get(id);
    if (!run) return;
    run.stopped = true;
    this.clock.clearTimeout(run.timer);
    run.abort?.abort();
    this.runs.delete(id);
  }

  stopAll(): void {
    for (const id of [...this.runs.keys()]) this.stop(id);
  }

  /** The current state of a container being probed (a copy). */
  state(id: string): HealthState | undefined {
    const run = this.runs.get(id);
    return run ? structuredClone(run.state) : undefined;
  }

  private schedule(id: string, run: Run) {
    if (run.stopped) return;
    run.timer = this.clock.setTimeout(() => void this.tick(id, run), run.config.intervalMs);
  }

  private async tick(id: string, run: Run) {
    if (run.stopped) return;
    if (this.d.shouldProbe && !this.d.shouldProbe(id)) return this.schedule(id, run);
    const start = this.clock.now();
    const abort = new AbortController();
    run.abort = abort;
    const result = await new Promise<ProbeResult | null>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        abort.abort();
        resolve({ exitCode: -1, output: `Health check exceeded timeout (${formatMs(run.config.timeoutMs)})` });
      }, run.config.timeoutMs);
      this.d.probe(id, probeCommand(run.config.test), abort.signal).then(
        (r) => {
          this.clock.clearTimeout(timer);
          resolve(r);
        },
        (e: unknown) => {
          this.clock.clearTimeout(timer);
          resolve({ exitCode: -1, output: e instanceof Error ? e.message : String(e) });
        },
      );
    });
    run.abort = undefined;
    if (run.stopped) return;
    if (result === null) return this.schedule(id, run);
    this.apply(id, run, result, start, this.clock.now());
    this.schedule(id, run);
  }

  private apply(id: string, run: Run, r: ProbeResult, startMs: number, endMs: number) {
    const st = run.state;
    const previous = st.status;
    const entry: HealthLogEntry = {
      start: new Date(startMs).toISOString(),
      end: new Date(endMs).toISOString(),
      exitCode: r.exitCode,
      output: truncateOutput(r.output),
    };
    st.log.push(entry);
    if (st.log.length > HEALTH_LOG_ENTRIES) st.log.splice(0, st.log.length - HEALTH_LOG_ENTRIES);
    if (r.exitCode === 0) {
      st.failingStreak = 0;
      st.status = 'healthy';
    } else {
      // Docker: while still starting, failures within the start period do not count
      const inStartPeriod = st.status === 'starting' && startMs - run.startedAtMs < run.config.startPeriodMs;
      if (!inStartPeriod) {
        st.failingStreak++;
        if (st.failingStreak >= run.config.retries) st.status = 'unhealthy';
      }
    }
    this.d.onUpdate?.(id, structuredClone(st));
    if (st.status !== previous) this.d.onStatus?.(id, st.status, previous);
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
