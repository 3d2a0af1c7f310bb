// Engine events (`berth events`): container create/start/die/stop/kill/destroy/pause/unpause/
// rename/restart, as they happen, with a bounded history so `--since` can replay recent ones.
export interface BerthEvent {
  /** RFC 3339 */
  time: string;
  /** milliseconds since the epoch, for since/until */
  timeMs: number;
  type: 'container';
  action: string;
  id: string;
  attributes: Record<string, string>;
}

type Listener = (e: BerthEvent) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();
  private readonly recent: BerthEvent[] = [];

  constructor(private readonly keep = 1000) {}

  emit(action: string, id: string, attributes: Record<string, string>): void {
    const now = Date.now();
    const e: BerthEvent = { time: new Date(now).toISOString(), timeMs: now, type: 'container', action, id, attributes };
    this.recent.push(e);
    if (this.recent.length > this.keep) this.recent.shift();
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {
        // one broken subscriber must not stop the engine
      }
    }
  }

  /** Events since `sinceMs` (kept ones), then live ones until `signal` aborts or `untilMs` passes. */
  async *stream(opts: { sinceMs?: number; untilMs?: number }, signal?: AbortSignal): AsyncGenerator<BerthEvent> {
    const queue: BerthEvent[] = [];
    let wake: (() => void) | undefined;
    const fn = (e: BerthEvent) => {
      queue.push(e);
      wake?.();
    };
    this.listeners.add(fn);
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      if (opts.sinceMs !== undefined) for (const e of this.recent) if (e.timeMs >= opts.sinceMs && (opts.untilMs === undefined || e.timeMs <= opts.untilMs)) yield e;
      for (;;) {
        if (signal?.aborted) return;
        if (opts.untilMs !== undefined && Date.now() > opts.untilMs) return;
        const e = queue.shift();
        if (e) {
          if (opts.untilMs !== undefined && e.timeMs > opts.untilMs) return;
          yield e;
          continue;
        }
        await new Promise<void>((r) => {
          wake = r;
          if (opts.untilMs !== undefined) setTimeout(r, Math.max(0, opts.untilMs - Date.now() + 1)).unref();
        });
        wake = undefined;
      }
    } finally {
      this.listeners.delete(fn);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
