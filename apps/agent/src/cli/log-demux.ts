// Splits the agent's log stream (Docker's multiplexed framing: [stream, 0, 0, 0, len u32 BE]
// then len bytes) into stdout and stderr. Payloads are passed on as they arrive, in pieces of
// the network chunks (no copies): the agent sends one frame per run of same-stream records, so
// a chunk is usually one write.
export class LogDemux {
  private head = Buffer.alloc(8);
  private headLen = 0; // bytes of a header split across chunks
  private stream = 1;
  private remaining = 0; // payload bytes of the current frame still to come

  constructor(
    private readonly out: (b: Buffer) => void,
    private readonly err: (b: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - off);
        (this.stream === 2 ? this.err : this.out)(chunk.subarray(off, off + n));
        this.remaining -= n;
        off += n;
        continue;
      }
      const n = Math.min(8 - this.headLen, chunk.length - off);
      chunk.copy(this.head, this.headLen, off, off + n);
      this.headLen += n;
      off += n;
      if (this.headLen === 8) {
        this.stream = this.head[0] === 2 ? 2 : 1;
        this.remaining = this.head.readUInt32BE(4);
        this.headLen = 0;
      }
    }
  }
}
