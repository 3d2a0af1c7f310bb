// Splits the agent's log stream (Docker's multiplexed framing: [stream, 0, 0, 0, len u32 BE]
// then len bytes) into stdout and stderr. Each network chunk becomes one write per run of the
// same stream, copied into a single buffer (never rewritten after it is handed out).
export class LogDemux {
  private rest: Buffer = Buffer.alloc(0);

  constructor(
    private readonly out: (b: Buffer) => void,
    private readonly err: (b: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const acc = Buffer.allocUnsafe(buf.length);
    let n = 0;
    let from = 0;
    let stream = 0;
    let off = 0;
    while (buf.length - off >= 8) {
      const len = buf[off + 4] * 0x1000000 + (buf[off + 5] << 16) + (buf[off + 6] << 8) + buf[off + 7];
      if (buf.length - off - 8 < len) break;
      const s = buf[off] === 2 ? 2 : 1;
      if (s !== stream && n > from) {
        this.emit(stream, acc.subarray(from, n));
        from = n;
      }
      stream = s;
      n += buf.copy(acc, n, off + 8, off + 8 + len);
      off += 8 + len;
    }
    if (n > from) this.emit(stream, acc.subarray(from, n));
    this.rest = off < buf.length ? Buffer.from(buf.subarray(off)) : Buffer.alloc(0);
  }

  private emit(stream: number, b: Buffer) {
    if (stream === 2) this.err(b);
    else this.out(b);
  }
}
