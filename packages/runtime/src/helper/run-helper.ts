// Spawning berth-helper and turning its JSON log lines (stderr) into a BerthError.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { BerthError } from '../errors';
import { helperPath } from './helper-path';

export interface HelperLogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
}

/** Parses stderr text into log lines; a non-JSON line becomes an error line with its text. */
export function parseLogLines(text: string): HelperLogLine[] {
  const out: HelperLogLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    try {
      const v = JSON.parse(line) as Partial<HelperLogLine>;
      if (v && typeof v.msg === 'string' && typeof v.level === 'string') {
        out.push({ level: v.level as HelperLogLine['level'], msg: v.msg });
        continue;
      }
    } catch {
      // not JSON: keep it as text
    }
    out.push({ level: 'error', msg: line });
  }
  return out;
}

/** The BerthError for a failed helper run: the last error line names the cause. */
export function helperError(what: string, exitCode: number | null, lines: HelperLogLine[]): BerthError {
  const last = [...lines].reverse().find((l) => l.level === 'error');
  const msg = last?.msg ?? `exited with status ${exitCode}`;
  // The process could not be run as asked (not found, not executable, unknown user): the caller's fault.
  const userFault = exitCode === 126 || exitCode === 127 || /^(exec: "|unable to find (user|group) )/.test(msg);
  // "exec: exec: ..." reads badly: name the step only when the message does not already
  return new BerthError(userFault ? 'invalid_argument' : 'internal', msg.startsWith(`${what}: `) ? msg : `${what}: ${msg}`);
}

export interface HelperResult {
  code: number;
  stdout: string;
  logs: HelperLogLine[];
}

/** Runs the helper to completion with optional stdin; rejects with a BerthError on non-zero exit. */
export function runHelper(
  args: string[],
  opts: { stdin?: NodeJS.ReadableStream; what?: string; spawn?: SpawnOptions } = {},
): Promise<HelperResult> {
  const what = opts.what ?? `berth-helper ${args[0]}`;
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(helperPath(), args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], ...opts.spawn });
    } catch (e) {
      reject(new BerthError('internal', `${what}: spawn ${helperPath()}: ${(e as Error).message}`));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    if (opts.stdin && child.stdin) {
      child.stdin.on('error', () => {
        // the helper stopped reading (it failed); its exit status tells why
      });
      opts.stdin.on('error', (e) => {
        child.kill('SIGKILL');
        reject(new BerthError('internal', `${what}: input stream: ${e.message}`));
      });
      opts.stdin.pipe(child.stdin);
    }
    child.on('error', (e) => reject(new BerthError('internal', `${what}: spawn ${helperPath()}: ${e.message}`)));
    child.on('close', (code, signal) => {
      const logs = parseLogLines(Buffer.concat(err).toString('utf8'));
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) resolve({ code, stdout, logs });
      else reject(helperError(what, code ?? (signal ? 128 : null), logs));
    });
  });
}
