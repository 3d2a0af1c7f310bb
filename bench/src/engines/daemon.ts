// A daemon the bench started: its process, its log file, and a stop that waits for it to go.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { sleep } from '../lib/proc';

export class Daemon {
  readonly proc: ChildProcess;
  constructor(
    readonly name: string,
    argv: string[],
    readonly logFile: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const fd = fs.openSync(logFile, 'a');
    this.proc = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  logTail(n = 5): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-n).join(' | ').slice(0, 500);
    } catch {
      return '';
    }
  }

  /** Polls `ready` until it is true; throws with the daemon's log when it dies or 30 s pass. */
  async waitReady(ready: () => boolean, ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    while (!ready()) {
      if (!this.alive) throw new Error(`${this.name} exited ${this.proc.exitCode ?? this.proc.signalCode}: ${this.logTail()}`);
      if (Date.now() > end) throw new Error(`${this.name} not ready after ${ms / 1000}s: ${this.logTail()}`);
      await sleep(100);
    }
  }

  async stop(ms = 15_000): Promise<void> {
    if (!this.alive) return;
    const gone = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), ms);
    await gone;
    clearTimeout(t);
  }
}
