// Connects the CLI's own stdio to a terminal socket (run -it, exec -it, run without -d):
// raw mode and window size when stdin is a TTY, stdin forwarding with -i, exit code out.
import type WebSocket from 'ws';
import { TerminalOp, frame } from '@berth/shared';
import { AgentError } from '../client';

export interface SessionOptions {
  tty: boolean;
  interactive: boolean;
  /** attach and run -it: this byte sequence in the input detaches (the container keeps running) */
  detachKeys?: number[];
  /** told when the session ends by the detach keys (the container runs on) */
  onDetach?: () => void;
}

/** Docker's --detach-keys: "ctrl-p,ctrl-q" (default), "ctrl-a,x", ... as bytes. */
export function parseDetachKeys(spec = 'ctrl-p,ctrl-q'): number[] {
  return spec.split(',').map((k) => {
    const m = /^ctrl-(.)$/i.exec(k.trim());
    if (m) {
      const c = m[1] === '@' ? 0 : m[1].toUpperCase().charCodeAt(0);
      if (c !== 0 && (c < 0x40 || c > 0x5f)) throw new Error(`invalid detach key: ${k}`);
      return c & 0x1f;
    }
    if (k.length === 1) return k.charCodeAt(0);
    throw new Error(`invalid detach key: ${k}: want ctrl-X or one character`);
  });
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
    const keys = opts.detachKeys ?? [];
    let matched = 0; // how many detach key bytes were seen in a row (held back, not sent)
    const send = (d: Buffer) => d.length > 0 && ws.readyState === ws.OPEN && ws.send(frame(TerminalOp.input, d));
    const onInput = (d: Buffer) => {
      if (keys.length === 0) return send(d);
      let start = 0;
      for (let i = 0; i < d.length; i++) {
        if (d[i] === keys[matched]) {
          if (matched === 0) send(d.subarray(start, i));
          matched++;
          if (matched === keys.length) {
            // detach: close the socket; for attach the agent only disconnects
            opts.onDetach?.();
            finish(() => {
              if (opts.tty) process.stderr.write('\r\n');
              process.stderr.write('read escape sequence\n');
              // let the input sent before the keys leave before the process exits
              const t = setTimeout(() => resolve(0), 2000);
              ws.once('close', () => {
                clearTimeout(t);
                resolve(0);
              });
              ws.close();
            });
            return;
          }
          start = i + 1;
        } else if (matched > 0) {
          send(Buffer.from(keys.slice(0, matched)));
          matched = d[i] === keys[0] ? 1 : 0;
          start = matched ? i + 1 : i;
        }
      }
      if (matched === 0) send(d.subarray(start));
    };
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
