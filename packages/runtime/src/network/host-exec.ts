// The seam through which the network driver changes the host: iproute2, iptables, nsenter,
// unshare and /proc/sys writes. Unit tests pass a recording fake; the real one spawns.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import { BerthError } from '../errors';

export interface HostExec {
  /** runs a command; rejects with its stderr when it exits non-zero */
  run(cmd: string, args: string[], input?: string): Promise<string>;
  /** like run, but resolves with the exit code instead of rejecting */
  tryRun(cmd: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  writeSysctl(key: string, value: string): void;
  readSysctl(key: string): string | undefined;
}

function sysctlPath(key: string): string {
  if (!/^[a-z0-9_.-]+$/i.test(key)) throw new BerthError('invalid_argument', `invalid sysctl ${key}`);
  return '/proc/sys/' + key.replace(/\./g, '/');
}

export const realHostExec: HostExec = {
  async run(cmd, args, input) {
    const r = await this.tryRun(cmd, args, input);
    if (r.code !== 0) throw new BerthError('internal', `${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
    return r.stdout;
  },
  tryRun(cmd, args, input) {
    return new Promise((resolve) => {
      if (input === undefined) {
        execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127) : 0;
          resolve({ code, stdout, stderr: stderr || (err && code === 127 ? String(err.message) : '') });
        });
        return;
      }
      const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', (e) => resolve({ code: 127, stdout, stderr: e.message }));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    });
  },
  writeSysctl(key, value) {
    fs.writeFileSync(sysctlPath(key), value);
  },
  readSysctl(key) {
    try {
      return fs.readFileSync(sysctlPath(key), 'utf8').trim();
    } catch {
      return undefined;
    }
  },
};
