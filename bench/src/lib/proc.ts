// Running commands: synchronous, with captured output, timed, failing loudly with their output.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import { nowMs } from './sample';

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export function sh(argv: string[], opts: SpawnSyncOptions = {}): CmdResult {
  const t0 = nowMs();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000, ...opts });
  const ms = nowMs() - t0;
  return { code: r.status ?? 128, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? (r.error ? String(r.error) : '')), ms };
}

export class CmdError extends Error {}

/** Runs argv and returns its result; throws with the command's stderr when it fails. */
export function must(argv: string[], opts: SpawnSyncOptions = {}): CmdResult {
  const r = sh(argv, opts);
  if (r.code !== 0) throw new CmdError(`${argv.join(' ')} exited ${r.code}: ${lastLines(r.stderr || r.stdout)}`);
  return r;
}

export function lastLines(s: string, n = 3): string {
  return s.trim().split('\n').slice(-n).join(' | ').slice(0, 400);
}

export function which(bin: string): string | undefined {
  const r = sh(['sh', '-c', `command -v ${bin}`]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resident set size of a process in KiB (VmRSS), or undefined when it is gone. */
export function rssKiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** utime+stime of a process in milliseconds (from /proc/PID/stat). */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Pids whose command line contains every needle. */
export function pidsMatching(...needles: string[]): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (needles.every((n) => cmd.includes(n))) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}
