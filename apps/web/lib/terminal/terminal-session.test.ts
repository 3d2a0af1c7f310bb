import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TerminalOp, frame } from '@berth/shared';
import { TerminalSession, type SocketLike, type TerminalLike, type SessionStatus } from './terminal-session';

class FakeSocket implements SocketLike {
  binaryType = 'blob';
  readyState = 0;
  sent: (string | Uint8Array)[] = [];
  closed = false;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  send(d: string | Uint8Array) {
    this.sent.push(d);
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(op: number, payload: string | Uint8Array = '') {
    const f = frame(op as TerminalOp, payload);
    this.onmessage?.({ data: f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength) });
  }
  frames() {
    return this.sent.filter((s): s is Uint8Array => typeof s !== 'string');
  }
}

class FakeTerm implements TerminalLike {
  cols = 80;
  rows = 24;
  written: string[] = [];
  callbacks: (() => void)[] = [];
  dataListeners: ((d: string) => void)[] = [];
  resizeListeners: ((s: { cols: number; rows: number }) => void)[] = [];
  osc = new Map<number, (d: string) => boolean | Promise<boolean>>();
  disposedCount = 0;
  parser = {
    registerOscHandler: (id: number, cb: (d: string) => boolean | Promise<boolean>) => {
      this.osc.set(id, cb);
      return { dispose: () => void this.disposedCount++ };
    },
  };
  write(d: Uint8Array | string, cb?: () => void) {
    this.written.push(typeof d === 'string' ? d : new TextDecoder().decode(d));
    if (cb) this.callbacks.push(cb);
  }
  onData(l: (d: string) => void) {
    this.dataListeners.push(l);
    return { dispose: () => void this.disposedCount++ };
  }
  onResize(l: (s: { cols: number; rows: number }) => void) {
    this.resizeListeners.push(l);
    return { dispose: () => void this.disposedCount++ };
  }
  type(s: string) {
    for (const l of this.dataListeners) l(s);
  }
  flush() {
    for (const cb of this.callbacks.splice(0)) cb();
  }
}

function setup(opts: { mode?: 'exec' | 'attach'; high?: number; low?: number } = {}) {
  const socket = new FakeSocket();
  const term = new FakeTerm();
  const statuses: SessionStatus[] = [];
  const session = new TerminalSession({
    term,
    connect: () => socket,
    mode: opts.mode ?? 'exec',
    cmd: ['sh'],
    highWatermark: opts.high ?? 100,
    lowWatermark: opts.low ?? 10,
    onStatus: (s) => statuses.push(s),
  });
  return { socket, term, session, statuses };
}

const op = (f: Uint8Array) => f[0];
const body = (f: Uint8Array) => new TextDecoder().decode(f.subarray(1));

test('exec sends the JSON hello as the first text frame with the terminal size', () => {
  const { socket, statuses } = setup();
  assert.equal(socket.binaryType, 'arraybuffer');
  socket.open();
  assert.equal(socket.sent.length, 1);
  assert.deepEqual(JSON.parse(socket.sent[0] as string), { cmd: ['sh'], tty: true, rows: 24, cols: 80 });
  assert.deepEqual(statuses.map((s) => s.kind), ['connecting', 'open']);
});

test('attach hello carries only the size', () => {
  const { socket } = setup({ mode: 'attach' });
  socket.open();
  assert.deepEqual(JSON.parse(socket.sent[0] as string), { rows: 24, cols: 80 });
});

test('keystrokes become input frames, resizes become resize frames', () => {
  const { socket, term } = setup();
  socket.open();
  term.type('echo hi\r');
  for (const l of term.resizeListeners) l({ cols: 100, rows: 30 });
  const [input, resize] = socket.frames();
  assert.equal(op(input!), TerminalOp.input);
  assert.equal(body(input!), 'echo hi\r');
  assert.equal(op(resize!), TerminalOp.resize);
  assert.deepEqual(JSON.parse(body(resize!)), { cols: 100, rows: 30 });
});

test('nothing is sent before the socket opens', () => {
  const { socket, term } = setup();
  term.type('x');
  assert.equal(socket.sent.length, 0);
});

test('output and stderr frames are written to the terminal', () => {
  const { socket, term } = setup();
  socket.open();
  socket.receive(TerminalOp.output, 'hello ');
  socket.receive(TerminalOp.stderr, 'world');
  assert.deepEqual(term.written, ['hello ', 'world']);
});

test('pauses above the high watermark and resumes below the low one', () => {
  const { socket, term, session } = setup({ high: 100, low: 10 });
  socket.open();
  socket.receive(TerminalOp.output, 'a'.repeat(60));
  assert.equal(session.isPaused, false);
  socket.receive(TerminalOp.output, 'b'.repeat(60));
  assert.equal(session.isPaused, true);
  assert.deepEqual(socket.frames().map(op), [TerminalOp.pause]);
  // more output while paused does not send a second pause
  socket.receive(TerminalOp.output, 'c'.repeat(5));
  assert.deepEqual(socket.frames().map(op), [TerminalOp.pause]);
  // drain the first two chunks: 5 bytes left pending, below low → one resume
  term.callbacks.shift()!();
  assert.equal(session.isPaused, true);
  term.callbacks.shift()!();
  assert.equal(session.isPaused, false);
  assert.equal(session.pendingBytes, 5);
  term.flush();
  assert.deepEqual(socket.frames().map(op), [TerminalOp.pause, TerminalOp.resume]);
  assert.equal(session.pendingBytes, 0);
});

test('exit frame reports the exit code and stops input', () => {
  const { socket, term, statuses } = setup();
  socket.open();
  socket.receive(TerminalOp.exit, JSON.stringify({ exitCode: 3 }));
  assert.deepEqual(statuses.at(-1), { kind: 'exited', exitCode: 3 });
  assert.match(term.written.at(-1)!, /exited with code 3/);
  term.type('more');
  assert.equal(socket.frames().length, 0);
});

test('error frame is shown and reported', () => {
  const { socket, term, statuses } = setup();
  socket.open();
  socket.receive(TerminalOp.error, JSON.stringify({ code: 'failed_precondition', message: 'container x is not running' }));
  assert.deepEqual(statuses.at(-1), { kind: 'error', code: 'failed_precondition', message: 'container x is not running' });
  assert.match(term.written.at(-1)!, /container x is not running/);
});

test('title and clipboard OSC sequences are swallowed', () => {
  const { term } = setup();
  for (const id of [0, 1, 2, 52]) assert.equal(term.osc.get(id)?.('x'), true, `osc ${id}`);
});

test('dispose closes the socket, drops listeners and ignores late events', () => {
  const { socket, term, session } = setup();
  socket.open();
  session.dispose();
  assert.equal(socket.closed, true);
  assert.ok(term.disposedCount >= 6);
  session.dispose(); // idempotent
  term.type('x');
  assert.equal(socket.frames().length, 0);
});

test('a close without exit is reported', () => {
  const { socket, statuses } = setup();
  socket.open();
  socket.onclose?.({ code: 1006, reason: '' });
  assert.equal(statuses.at(-1)?.kind, 'closed');
});
