// A terminal session over Berth's binary terminal socket, free of any UI framework:
// frames keystrokes and resizes out, writes output in, and applies watermark flow control
// (pause the server when the terminal's write queue grows, resume once it drains).
// The terminal and socket are injected so tests can drive it with fakes.
import { TerminalOp, frame } from '@berth/shared';

export interface Disposable {
  dispose(): void;
}

/** The part of xterm.js's Terminal the session uses. */
export interface TerminalLike {
  readonly cols: number;
  readonly rows: number;
  write(data: Uint8Array | string, callback?: () => void): void;
  onData(listener: (data: string) => void): Disposable;
  onBinary?(listener: (data: string) => void): Disposable;
  onResize(listener: (size: { cols: number; rows: number }) => void): Disposable;
  readonly parser?: { registerOscHandler(ident: number, callback: (data: string) => boolean | Promise<boolean>): Disposable };
}

/** The part of the browser WebSocket the session uses. */
export interface SocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type SessionStatus =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'exited'; exitCode: number }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'closed'; reason: string };

export interface TerminalSessionOptions {
  term: TerminalLike;
  /** opens the socket; called once */
  connect: () => SocketLike;
  /** exec: run a command; attach: the container's own stdio */
  mode: 'exec' | 'attach';
  cmd?: string[];
  /** exec as this user (name|uid[:group|gid]) */
  user?: string;
  /** exec: keep the process running when the socket closes; the server answers with its id */
  keep?: boolean;
  /** exec: take over the kept session with this id instead of starting a process */
  resume?: string;
  onSession?: (id: string) => void;
  highWatermark?: number;
  lowWatermark?: number;
  onStatus?: (status: SessionStatus) => void;
}

const OPEN = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** OSC identifiers swallowed: window/icon titles (0, 1, 2) and clipboard writes (52). */
export const IGNORED_OSC = [0, 1, 2, 52] as const;

export class TerminalSession {
  readonly highWatermark: number;
  readonly lowWatermark: number;
  private readonly term: TerminalLike;
  private readonly socket: SocketLike;
  private readonly disposables: Disposable[] = [];
  private readonly opts: TerminalSessionOptions;
  /** bytes handed to the terminal whose write callback has not fired yet */
  private pending = 0;
  private paused = false;
  private disposed = false;
  private ended = false;
  status: SessionStatus = { kind: 'connecting' };

  constructor(opts: TerminalSessionOptions) {
    this.opts = opts;
    this.term = opts.term;
    this.highWatermark = opts.highWatermark ?? 256 * 1024;
    this.lowWatermark = opts.lowWatermark ?? 32 * 1024;
    if (this.lowWatermark >= this.highWatermark) throw new Error('low watermark must be below the high watermark');

    if (this.term.parser) {
      for (const id of IGNORED_OSC) this.disposables.push(this.term.parser.registerOscHandler(id, () => true));
    }
    this.disposables.push(this.term.onData((d) => this.sendInput(encoder.encode(d))));
    if (this.term.onBinary) {
      this.disposables.push(
        this.term.onBinary((d) => {
          const bytes = new Uint8Array(d.length);
          for (let i = 0; i < d.length; i++) bytes[i] = d.charCodeAt(i) & 0xff;
          this.sendInput(bytes);
        }),
      );
    }
    this.disposables.push(this.term.onResize(({ cols, rows }) => this.resize(cols, rows)));

    this.setStatus({ kind: 'connecting' });
    const socket = opts.connect();
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      if (this.disposed) return;
      const size = { rows: this.term.rows, cols: this.term.cols };
      const hello =
        opts.mode !== 'exec'
          ? size
          : opts.resume
            ? { resume: opts.resume, ...size }
            : { cmd: opts.cmd ?? ['sh'], tty: true, ...size, ...(opts.keep ? { keep: true } : {}), ...(opts.user ? { user: opts.user } : {}) };
      socket.send(JSON.stringify(hello));
      this.setStatus({ kind: 'open' });
    };
    socket.onmessage = (ev) => this.onMessage(ev.data);
    socket.onclose = (ev) => {
      if (this.disposed || this.ended) return;
      this.ended = true;
      this.term.write(`\r\n\x1b[2m[connection closed${ev.reason ? `: ${ev.reason}` : ''}]\x1b[0m\r\n`);
      this.setStatus({ kind: 'closed', reason: ev.reason || `code ${ev.code}` });
    };
    socket.onerror = () => {
      /* onclose follows and reports */
    };
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get pendingBytes(): number {
    return this.pending;
  }

  resize(cols: number, rows: number): void {
    if (cols > 0 && rows > 0) this.send(frame(TerminalOp.resize, JSON.stringify({ cols, rows })));
  }

  sendInput(bytes: Uint8Array): void {
    if (this.ended) return;
    this.send(frame(TerminalOp.input, bytes));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.socket.onopen = this.socket.onmessage = this.socket.onclose = this.socket.onerror = null;
    try {
      this.socket.close(1000, 'terminal closed');
    } catch {
      /* already closed */
    }
  }

  private send(data: Uint8Array | string): void {
    if (!this.disposed && this.socket.readyState === OPEN) this.socket.send(data);
  }

  private setStatus(s: SessionStatus): void {
    this.status = s;
    this.opts.onStatus?.(s);
  }

  private onMessage(data: unknown): void {
    if (this.disposed) return;
    let bytes: Uint8Array;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (data instanceof Uint8Array) bytes = data;
    else if (typeof data === 'string') bytes = encoder.encode(data);
    else return;
    if (bytes.length === 0) return;
    const op = bytes[0];
    const body = bytes.subarray(1);
    switch (op) {
      case TerminalOp.output:
      case TerminalOp.stderr:
        this.writeOutput(body);
        break;
      case TerminalOp.exit: {
        const { exitCode } = parseJson(body) as { exitCode?: number };
        this.ended = true;
        const code = typeof exitCode === 'number' ? exitCode : -1;
        this.term.write(`\r\n\x1b[2m[process exited with code ${code}]\x1b[0m\r\n`);
        this.setStatus({ kind: 'exited', exitCode: code });
        break;
      }
      case TerminalOp.error: {
        const { code, message } = parseJson(body) as { code?: string; message?: string };
        this.ended = true;
        this.term.write(`\r\n\x1b[31m[error: ${message ?? 'unknown error'}]\x1b[0m\r\n`);
        this.setStatus({ kind: 'error', code: code ?? 'internal', message: message ?? 'unknown error' });
        break;
      }
      case TerminalOp.session: {
        const { session } = parseJson(body) as { session?: string };
        if (typeof session === 'string') this.opts.onSession?.(session);
        break;
      }
      default:
        // unknown opcodes are ignored so newer servers can add frames
        break;
    }
  }

  private writeOutput(body: Uint8Array): void {
    // copy: the terminal may keep the buffer past this event
    const chunk = body.slice();
    const n = chunk.length;
    this.pending += n;
    this.term.write(chunk, () => {
      this.pending -= n;
      if (this.paused && this.pending <= this.lowWatermark) {
        this.paused = false;
        this.send(frame(TerminalOp.resume));
      }
    });
    if (!this.paused && this.pending > this.highWatermark) {
      this.paused = true;
      this.send(frame(TerminalOp.pause));
    }
  }
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(body));
  } catch {
    return {};
  }
}
