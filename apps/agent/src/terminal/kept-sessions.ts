// Exec sessions that outlive their socket: an exec opened with `keep` keeps running when its
// WebSocket closes (a page reload, a dropped network); a new socket that names its session id takes
// it over and first gets the output it missed (the last 256 KiB), so the shell, its variables and
// anything running in it are still there. A detached session is killed after `idleMs`.
import crypto from 'node:crypto';
import type { TerminalProcess } from '../backend';

const KEEP_BYTES = 256 * 1024;
const MAX_SESSIONS = 64;

interface Kept {
  id: string;
  containerId: string;
  proc: TerminalProcess;
  /** the newest output, at most KEEP_BYTES */
  replay: Buffer[];
  replayBytes: number;
  sink?: (stream: 'stdout' | 'stderr', data: Buffer) => void;
  /** the view (socket) that drives the session now; older views go inert */
  owner?: symbol;
  idle?: NodeJS.Timeout;
}

export class KeptSessions {
  private readonly sessions = new Map<string, Kept>();

  constructor(private readonly idleMs = 10 * 60_000) {}

  /** Keeps `proc` and returns its id and a view to bridge now (closing the view detaches). */
  keep(containerId: string, proc: TerminalProcess): { id: string; view: TerminalProcess } {
    if (this.sessions.size >= MAX_SESSIONS) {
      // the longest-detached one makes room
      const detached = [...this.sessions.values()].find((k) => !k.sink);
      if (!detached) throw Object.assign(new Error(`too many terminal sessions (${MAX_SESSIONS}) are open`), { code: 'resource_exhausted' });
      this.end(detached);
    }
    const k: Kept = { id: crypto.randomBytes(16).toString('hex'), containerId, proc, replay: [], replayBytes: 0 };
    proc.onOutput((stream, data) => {
      k.replay.push(data);
      k.replayBytes += data.length;
      while (k.replayBytes > KEEP_BYTES && k.replay.length > 1) k.replayBytes -= k.replay.shift()!.length;
      k.sink?.(stream, data);
    });
    void proc.exited.then(
      () => this.sessions.delete(k.id),
      () => this.sessions.delete(k.id),
    );
    this.sessions.set(k.id, k);
    return { id: k.id, view: this.view(k, false) };
  }

  /** Takes a detached (or still attached elsewhere) session over; undefined when it is gone. */
  resume(containerId: string, id: string): TerminalProcess | undefined {
    const k = this.sessions.get(id);
    if (!k || k.containerId !== containerId) return undefined;
    return this.view(k, true);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Kills every kept session (agent shutdown). */
  closeAll(): void {
    for (const k of [...this.sessions.values()]) this.end(k);
  }

  private end(k: Kept) {
    this.sessions.delete(k.id);
    if (k.idle) clearTimeout(k.idle);
    k.proc.close();
  }

  private view(k: Kept, replay: boolean): TerminalProcess {
    if (k.idle) clearTimeout(k.idle);
    k.idle = undefined;
    let mine = Symbol('view');
    k.owner = mine;
    const current = () => k.owner === mine;
    return {
      onOutput(fn) {
        if (replay && k.replay.length) fn('stdout', Buffer.concat(k.replay));
        k.sink = (s, d) => current() && fn(s, d);
      },
      write: (d) => current() && k.proc.write(d),
      closeStdin: () => current() && k.proc.closeStdin(),
      resize: (r, c) => current() && k.proc.resize(r, c),
      pause: () => current() && k.proc.pause(),
      resume: () => current() && k.proc.resume(),
      exited: k.proc.exited,
      close: () => {
        if (!current()) return; // a newer socket took the session over
        mine = Symbol('gone');
        k.sink = undefined;
        k.proc.resume(); // nobody reads now: keep the shell from blocking on a full pipe
        k.idle = setTimeout(() => this.end(k), this.idleMs);
        k.idle.unref();
      },
    };
  }
}
