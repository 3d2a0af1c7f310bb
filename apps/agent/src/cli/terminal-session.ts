// Connects the CLI's own stdio to a terminal socket (run -it, exec -it, run without -d):
// raw mode and window size when stdin is a TTY, stdin forwarding with -i, exit code out.
import type WebSocket from 'ws';
import { TerminalOp, frame } from '@berth/shared';
import { AgentError } from '../client';

export interface SessionOptions {
  tty: boolean;
  interactive: boolean;
}

export function runTerminalSession(ws: WebSocket, opts: SessionOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    const rawMode = opts.tty && opts.interactive && stdin.isTTY;
    let settled = false;
    const cleanup = () => {
      if (rawMode) stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onInput);
      stdin.removeListener('end', onEnd);
      process.stdout.removeListener('resize', onResize);
    };
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      cleanup();
      fn();
    };
    const onInput = (d: Buffer) => ws.readyState === ws.OPEN && ws.send(frame(TerminalOp.input, d));
    const onEnd = () => ws.readyState === ws.OPEN && ws.send(frame(TerminalOp.closeStdin));
    const onResize = () => {
      if (ws.readyState === ws.OPEN && process.stdout.columns)
        ws.send(frame(TerminalOp.resize, JSON.stringify({ rows: process.stdout.rows, cols: process.stdout.columns })));
    };

    ws.on('open', () => {
      if (opts.interactive) {
        if (rawMode) stdin.setRawMode(true);
        stdin.on('data', onInput);
        stdin.on('end', onEnd);
        stdin.resume();
      }
      if (opts.tty && process.stdout.isTTY) process.stdout.on('resize', onResize);
    });
    ws.on('message', (raw: Buffer) => {
      const body = raw.subarray(1);
      switch (raw[0]) {
        case TerminalOp.output:
          process.stdout.write(body);
          break;
        case TerminalOp.stderr:
          process.stderr.write(body);
          break;
        case TerminalOp.exit: {
          const { exitCode } = JSON.parse(body.toString()) as { exitCode: number };
          finish(() => resolve(exitCode));
          break;
        }
        case TerminalOp.error: {
          const e = JSON.parse(body.toString()) as { code: string; message: string };
          finish(() => reject(new AgentError(e.code, e.message)));
          break;
        }
      }
    });
    ws.on('unexpected-response', (_req, res) =>
      finish(() => reject(new AgentError(res.statusCode === 401 ? 'unauthenticated' : 'unavailable', `agent refused the terminal: HTTP ${res.statusCode}`))),
    );
    ws.on('error', (e) => finish(() => reject(new AgentError('unavailable', `terminal connection failed: ${e.message}`))));
    ws.on('close', () => finish(() => reject(new AgentError('unavailable', 'the agent closed the terminal before the process exited'))));
  });
}

export function windowSize(): { rows?: number; cols?: number } {
  return process.stdout.isTTY ? { rows: process.stdout.rows, cols: process.stdout.columns } : {};
}
