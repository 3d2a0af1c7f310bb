// Bridges one terminal WebSocket to one TerminalProcess: binary frames with one-byte opcodes
// (packages/shared terminal.ts). Output is paused while the socket's send buffer is above a high
// watermark or the client asked for a pause, so a `yes` cannot flood the browser or the agent.
import type { WebSocket } from 'ws';
import { TerminalOp, frame } from '@berth/shared';
import type { TerminalProcess } from '../backend';

const HIGH_WATER = 1 << 20;
const LOW_WATER = 1 << 16;

export function bridgeTerminal(ws: WebSocket, proc: TerminalProcess): void {
  let clientPaused = false;
  let bufferPaused = false;
  let drainTimer: NodeJS.Timeout | undefined;

  const updateFlow = () => {
    if (clientPaused || bufferPaused) proc.pause();
    else proc.resume();
  };
  const checkDrain = () => {
    drainTimer = undefined;
    if (ws.bufferedAmount <= LOW_WATER) {
      bufferPaused = false;
      updateFlow();
    } else drainTimer = setTimeout(checkDrain, 20);
  };

  proc.onOutput((stream, data) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(frame(stream === 'stderr' ? TerminalOp.stderr : TerminalOp.output, data));
    if (ws.bufferedAmount > HIGH_WATER && !bufferPaused) {
      bufferPaused = true;
      updateFlow();
      drainTimer ??= setTimeout(checkDrain, 20);
    }
  });

  ws.on('message', (raw, isBinary) => {
    if (!isBinary) return;
    const buf = Buffer.isBuffer(raw) ? raw : Buffer.concat(raw as Buffer[]);
    if (buf.length === 0) return;
    const body = buf.subarray(1);
    switch (buf[0]) {
      case TerminalOp.input:
        proc.write(body);
        break;
      case TerminalOp.resize: {
        try {
          const { rows, cols } = JSON.parse(body.toString()) as { rows: number; cols: number };
          if (Number.isInteger(rows) && Number.isInteger(cols) && rows > 0 && cols > 0 && rows < 10000 && cols < 10000)
            proc.resize(rows, cols);
        } catch {
          /* a malformed resize is ignored: the terminal keeps its size */
        }
        break;
      }
      case TerminalOp.pause:
        clientPaused = true;
        updateFlow();
        break;
      case TerminalOp.resume:
        clientPaused = false;
        updateFlow();
        break;
      case TerminalOp.closeStdin:
        proc.closeStdin();
        break;
    }
  });

  ws.on('close', () => {
    if (drainTimer) clearTimeout(drainTimer);
    proc.close();
  });

  proc.exited.then(
    (exitCode) => {
      if (ws.readyState === ws.OPEN) {
        ws.send(frame(TerminalOp.exit, JSON.stringify({ exitCode })));
        ws.close(1000);
      }
    },
    (err: Error) => sendError(ws, err),
  );
}

export function sendError(ws: WebSocket, err: unknown): void {
  const code = (err as { code?: string }).code ?? 'internal';
  const message = err instanceof Error ? err.message : String(err);
  if (ws.readyState === ws.OPEN) {
    ws.send(frame(TerminalOp.error, JSON.stringify({ code, message })));
    ws.close(1011);
  }
}
