// Client of a monitor's attach socket (STATE/attach.sock). Frames from the server:
// [stream u8][0][0][0][len u32 BE] + payload (1 stdout, 2 stderr, 3 exit with exit.json).
// Frames to it: [op u8][len u32 BE] + payload (0 stdin, 1 resize, 2 signal, 3 close stdin).
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { BerthError } from '../errors';

export interface AttachChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

export interface ExitInfo {
  exitCode: number;
  signal: number | null;
  finishedAt: string;
}

const OP_STDIN = 0;
const OP_RESIZE = 1;
const OP_SIGNAL = 2;
const OP_CLOSE_STDIN = 3;

export class AttachClient extends EventEmitter {
  /** Resolves with exit.json's content when the container exits; null if the socket closed without it. */
  readonly exit: Promise<ExitInfo | null>;
  /** Resolves once connected; rejects when the socket cannot be reached. */
  readonly connected: Promise<void>;
  private readonly socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private queue: AttachChunk[] = [];
  private waiters: ((r: IteratorResult<AttachChunk>) => void)[] = [];
  private ended = false;

  constructor(stateDir: string) {
    super();
    const sock = path.join(stateDir, 'attach.sock');
    // Unix socket paths stop at 108 bytes; reach the socket through a short /proc/self/fd path
    // to its directory instead, so deep data roots work too.
    let dirFd: number | undefined;
    try {
      dirFd = fs.openSync(stateDir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    } catch {
      /* connect below reports the missing socket */
    }
    this.socket = net.connect(dirFd !== undefined ? `/proc/self/fd/${dirFd}/attach.sock` : sock);
    const closeDir = () => {
      if (dirFd !== undefined) fs.closeSync(dirFd);
      dirFd = undefined;
    };
    this.socket.once('connect', closeDir);
    this.socket.once('error', closeDir);
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', (e) => reject(new BerthError('unavailable', `attach ${sock}: ${e.message}`)));
    });
    this.connected.catch(() => {
      // surfaced through `connected` to whoever awaits it
    });
    let resolveExit!: (v: ExitInfo | null) => void;
    this.exit = new Promise((r) => (resolveExit = r));
    this.socket.on('data', (d: Buffer) => this.onData(d, resolveExit));
    this.socket.on('error', () => {
      // the close handler ends the stream
    });
    this.socket.on('close', () => {
      resolveExit(null);
      this.finish();
    });
  }

  private onData(d: Buffer, resolveExit: (v: ExitInfo | null) => void) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) break;
      const stream = this.buf[0];
      const payload = Buffer.from(this.buf.subarray(8, 8 + len));
      this.buf = this.buf.subarray(8 + len);
      if (stream === 3) {
        try {
          resolveExit(JSON.parse(payload.toString('utf8')) as ExitInfo);
        } catch {
          resolveExit(null);
        }
        this.emit('exit');
      } else {
        const chunk: AttachChunk = { stream: stream === 2 ? 'stderr' : 'stdout', data: payload };
        this.emit('data', chunk);
        const w = this.waiters.shift();
        if (w) w({ value: chunk, done: false });
        else this.queue.push(chunk);
      }
    }
  }

  private finish() {
    if (this.ended) return;
    this.ended = true;
    this.emit('end');
    for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
  }

  private send(op: number, payload: Buffer) {
    if (this.socket.destroyed) return;
    const h = Buffer.alloc(5);
    h[0] = op;
    h.writeUInt32BE(payload.length, 1);
    this.socket.write(Buffer.concat([h, payload]));
  }

  write(data: Buffer | string) {
    this.send(OP_STDIN, Buffer.isBuffer(data) ? data : Buffer.from(data));
  }

  resize(rows: number, cols: number) {
    const p = Buffer.alloc(4);
    p.writeUInt16BE(rows, 0);
    p.writeUInt16BE(cols, 2);
    this.send(OP_RESIZE, p);
  }

  signal(n: number) {
    const p = Buffer.alloc(4);
    p.writeUInt32BE(n, 0);
    this.send(OP_SIGNAL, p);
  }

  closeStdin() {
    this.send(OP_CLOSE_STDIN, Buffer.alloc(0));
  }

  close() {
    // end, not destroy: input written just before a detach still reaches the monitor
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.finish();
  }

  [Symbol.asyncIterator](): AsyncIterator<AttachChunk> {
    return {
      next: () => {
        const c = this.queue.shift();
        if (c) return Promise.resolve({ value: c, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((r) => this.waiters.push(r));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

export function attach(stateDir: string): AttachClient {
  return new AttachClient(stateDir);
}
