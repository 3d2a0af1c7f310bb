// Log records as bytes on the wire: Docker's multiplexed framing (8-byte header: stream 1/2, 0,
// 0, 0, length u32 BE; then the bytes) or raw (a tty container over the Docker API), with the
// time and a space in front for timestamps. One buffer per batch, copied straight from the read
// buffer: no string per line.
import type { LogRecord } from '@berth/runtime/logs/log-record';

export interface FrameOptions {
  timestamps: boolean;
  /** no headers: the bytes only (Docker's raw stream for tty containers) */
  raw?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** one frame per run of records on the same stream (Berth's own CLI), not one per record
   * (what dockerd sends, kept for Docker API clients) */
  merge?: boolean;
}

const TIME_LEN = 30;

export function frameRecords(batch: LogRecord[], o: FrameOptions): Buffer {
  const wantOut = o.stdout ?? true;
  const wantErr = o.stderr ?? true;
  const head = o.raw ? 0 : 8;
  const ts = o.timestamps ? TIME_LEN + 1 : 0;
  let size = 0;
  for (const r of batch) {
    if (r.stream === 'stdout' ? !wantOut : !wantErr) continue;
    size += head + ts + (r.bodyEnd - r.bodyStart) + (r.newline ? 1 : 0);
  }
  const out = Buffer.allocUnsafe(size);
  let p = 0;
  let frameAt = -1; // header of the frame being filled, when merging
  let frameStream = 0;
  for (const r of batch) {
    if (r.stream === 'stdout' ? !wantOut : !wantErr) continue;
    const stream = r.stream === 'stderr' ? 2 : 1;
    if (!o.raw && (!o.merge || stream !== frameStream)) {
      if (frameAt >= 0) out.writeUInt32BE(p - frameAt - 8, frameAt + 4);
      frameAt = p;
      frameStream = stream;
      out[p] = stream;
      out[p + 1] = out[p + 2] = out[p + 3] = 0;
      p += 8;
    }
    if (ts) {
      p += r.tbuf.copy(out, p, r.tAt, r.tAt + TIME_LEN);
      out[p++] = 0x20;
    }
    p += r.body.copy(out, p, r.bodyStart, r.bodyEnd);
    if (r.newline) out[p++] = 0x0a;
  }
  if (frameAt >= 0) out.writeUInt32BE(p - frameAt - 8, frameAt + 4);
  return out.subarray(0, p);
}
