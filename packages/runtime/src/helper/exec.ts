// Runs a process in a running container (berth-helper exec). The process JSON goes through a
// temp file; fd 3 is the control pipe for resize and signals.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { helperError, parseLogLines } from './run-helper';
import { helperPath } from './helper-path';

export interface ExecProcess {
  child: ChildProcess;
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  resize(rows: number, cols: number): void;
  signal(n: number): void;
  /** The process's exit code (128+sig when killed); rejects with a BerthError when it could not run. */
  exited: Promise<number>;
}

export function spawnExec(o: { pid: number; process: object; cgroupProcs: string[]; tty: boolean }): ExecProcess {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-exec-'));
  const file = path.join(dir, 'process.json');
  fs.writeFileSync(file, JSON.stringify(o.process), { mode: 0o600 });
  const args = ['exec', '--pid', String(o.pid), '--process', file];
  for (const c of o.cgroupProcs) args.push('--cgroup-procs', c);
  if (o.tty) args.push('--tty');
  const child = spawn(helperPath(), args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  const control = child.stdio[3] as Writable;
  control.on('error', () => {
    // the helper exited; nothing to control
  });
  const send = (line: string) => {
    if (!control.destroyed) control.write(line + '\n');
  };
  // Keep stderr for the error message but still hand it out as a stream.
  const errChunks: Buffer[] = [];
  child.stderr!.on('data', (b: Buffer) => {
    if (errChunks.length < 64) errChunks.push(b);
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', (e) => reject(helperError('exec', null, [{ level: 'error', msg: `spawn: ${e.message}` }])));
    child.on('close', (code, signal) => {
      fs.rmSync(dir, { recursive: true, force: true });
      control.destroy();
      const c = code ?? (signal ? 128 : 1);
      const logs = parseLogLines(Buffer.concat(errChunks).toString('utf8'));
      const setupError = logs.find((l) => l.level === 'error' && /^(exec: |unable to find)/.test(l.msg));
      if ((c === 125 || c === 126 || c === 127) && setupError) reject(helperError('exec', c, logs));
      else resolve(c);
    });
  });
  return {
    child,
    stdin: child.stdin!,
    stdout: child.stdout!,
    stderr: child.stderr!,
    resize: (rows, cols) => send(`resize ${rows} ${cols}`),
    signal: (n) => send(`signal ${n}`),
    exited,
  };
}
