// The byte stream of attach and exec start. With `Upgrade: tcp` the connection is hijacked (101,
// then raw bytes both ways, as dockerd); without it the output is a plain 200 response body and
// stdin is the request body. Non-TTY output carries the 8-byte multiplexed header.
import type http from 'node:http';
import type net from 'node:net';
import type { TerminalProcess } from '../backend';
import { errorMessage, errorStatus, muxFrame } from './http-util';

export interface StdioConn {
  /** sends the success headers; raw = TTY */
  begin(raw: boolean): void;
  /** answers with Docker's JSON error when nothing was sent yet, else cuts the connection */
  fail(err: unknown): void;
  write(b: Buffer): boolean;
  end(): void;
  onDrain(fn: () => void): void;
  onInput(fn: (b: Buffer) => void): void;
  onInputEnd(fn: () => void): void;
  onClose(fn: () => void): void;
  readonly closed: boolean;
}

const reason: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error', 501: 'Not Implemented' };

export function hijackedConn(socket: net.Socket, rest: Buffer): StdioConn {
  let begun = false;
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => {});
  const pendingInput: Buffer[] = rest.length ? [rest] : [];
  return {
    begin(raw) {
      begun = true;
      const type = raw ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
      socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${type}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    },
    fail(err) {
      if (begun) return void socket.destroy();
      const status = errorStatus(err);
      const body = JSON.stringify({ message: errorMessage(err) });
      socket.end(
        `HTTP/1.1 ${status} ${reason[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
    write: (b) => socket.write(b),
    end: () => socket.end(),
    onDrain: (fn) => socket.on('drain', fn),
    onInput(fn) {
      for (const b of pendingInput.splice(0)) fn(b);
      socket.on('data', fn);
      socket.resume(); // reading the request body may have paused it
    },
    onInputEnd: (fn) => socket.on('end', fn),
    onClose: (fn) => socket.on('close', fn),
    get closed() {
      return closed;
    },
  };
}

export function responseConn(req: http.IncomingMessage, res: http.ServerResponse): StdioConn {
  let closed = false;
  res.on('close', () => (closed = true));
  return {
    begin(raw) {
      res.writeHead(200, { 'content-type': raw ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
      res.flushHeaders();
    },
    fail(err) {
      if (res.headersSent) return void res.destroy();
      const body = JSON.stringify({ message: errorMessage(err) });
      res.writeHead(errorStatus(err), { 'content-type': 'application/json' });
      res.end(body);
    },
    write: (b) => res.write(b),
    end: () => res.end(),
    onDrain: (fn) => res.on('drain', fn),
    onInput: (fn) => req.on('data', fn),
    onInputEnd: (fn) => req.on('end', fn),
    onClose: (fn) => res.on('close', fn),
    get closed() {
      return closed;
    },
  };
}

export interface BridgeOpts {
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** called with the exit code before the stream ends (exec inspect must see it) */
  onExit?: (code: number) => void;
  /** called when the client goes away (attach detaches; exec kills) */
  onClientClose?: () => void;
}

/** Copies process output to the connection (with backpressure) and connection input to stdin. */
export function bridgeStdio(conn: StdioConn, proc: TerminalProcess, o: BridgeOpts) {
  let done = false;
  proc.onOutput((stream, data) => {
    if (conn.closed) return;
    if (stream === 'stdout' ? !o.stdout : !o.stderr) return;
    const ok = conn.write(o.tty ? data : muxFrame(stream, data));
    if (!ok) proc.pause();
  });
  conn.onDrain(() => proc.resume());
  if (o.stdin) {
    conn.onInput((b) => proc.write(b));
    conn.onInputEnd(() => proc.closeStdin());
  } else {
    // keep reading (and dropping) what the client sends, so its hang-up is seen
    conn.onInput(() => {});
  }
  conn.onClose(() => {
    if (!done) (o.onClientClose ?? (() => proc.close()))();
  });
  proc.exited.then(
    (code) => {
      done = true;
      o.onExit?.(code);
      conn.end();
    },
    (err) => {
      done = true;
      conn.fail(err);
    },
  );
}
