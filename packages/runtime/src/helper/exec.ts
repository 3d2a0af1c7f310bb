// Runs a process in a running container (berth-helper exec). The process JSON goes through a
// temp file; fd 3 is the control pipe for resize and signals.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
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
  /** with detach: resolves once the process runs (rejects as `exited` does when it cannot) */
  started?: Promise<void>;
}

export function spawnExec(o: { pid: number; process: object; cgroupProcs: string[]; tty: boolean; detach?: boolean }): ExecProcess {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-exec-'));
  const file = path.join(dir, 'process.json');
  fs.writeFileSync(file, JSON.stringify(o.process), { mode: 0o600 });
  const args = ['exec', '--pid', String(o.pid), '--process', file];
  for (const c of o.cgroupProcs) args.push('--cgroup-procs', c);
  if (o.tty) args.push('--tty');
  // exec -d: the process gets /dev/null for stdio; the helper says {"started":true} once it runs
  if (o.detach) args.push('--detach');
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
  let started: Promise<void> | undefined;
  if (o.detach) {
    started = new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('"started":true')) resolve();
      });
      exited.then(() => resolve(), reject);
    });
    started.catch(() => {});
  }
  return {
    ...(started ? { started } : {}),
    child,
    stdin: child.stdin!,
    stdout: child.stdout!,
    stderr: withoutHelperLog(child.stderr!),
    resize: (rows, cols) => send(`resize ${rows} ${cols}`),
    signal: (n) => send(`signal ${n}`),
    exited,
  };
}

/**
 * The helper's own JSON log lines come on stderr before the process runs; they become the
 * error, not output. Drops them from the front of the stream, then passes everything through.
 */
function withoutHelperLog(src: Readable): Readable {
  const out = new PassThrough();
  let head: Buffer | null = Buffer.alloc(0);
  const logLine = /^\{"level":"(debug|info|warn|error)","msg":.*\}$/;
  src.on('data', (chunk: Buffer) => {
    if (head === null) {
      if (!out.write(chunk)) src.pause();
      return;
    }
    head = Buffer.concat([head, chunk]);
    if (head.length > 0 && head[0] !== 0x7b) {
      // not a log line: the process is writing (a prompt without newline must not wait)
      out.write(head);
      head = null;
      return;
    }
    let nl: number;
    while (head && (nl = head.indexOf(0x0a)) >= 0) {
      const line = head.subarray(0, nl).toString('utf8');
      if (!logLine.test(line)) {
        out.write(head);
        head = null;
        return;
      }
      head = head.subarray(nl + 1);
      if (head.length > 0 && head[0] !== 0x7b) {
        out.write(head);
        head = null;
        return;
      }
    }
  });
  out.on('drain', () => src.resume());
  src.on('end', () => {
    if (head && head.length) out.write(head);
    out.end();
  });
  src.on('error', (e) => out.destroy(e));
  return out;
}
