// Reads a container's json-file log (written by its monitor): all, the last N records, or from a
// cursor (the byte offset of a record), and optionally follows it while the container runs.
import fs from 'node:fs';
import type { LogLine } from '@berth/shared';

export interface ReadLogsOptions {
  follow: boolean;
  tail?: number;
  after?: number;
  /** polled at end of file while following: when false, reading stops after a last drain */
  isRunning: () => boolean;
  signal?: AbortSignal;
}

const CHUNK = 64 * 1024;

export async function* readLogs(file: string, opts: ReadLogsOptions): AsyncGenerator<LogLine> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // never started: no log yet
    throw e;
  }
  try {
    let pos = await startOffset(fh, opts);
    let pending = Buffer.alloc(0);
    let pendingStart = pos;
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      if (opts.signal?.aborted) return;
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        pending = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
        let nl: number;
        while ((nl = pending.indexOf(0x0a)) >= 0) {
          const line = pending.subarray(0, nl);
          const rec = parseRecord(line, pendingStart);
          pendingStart += nl + 1;
          pending = pending.subarray(nl + 1);
          if (rec) yield rec;
        }
        continue;
      }
      if (!opts.follow) return;
      if (!opts.isRunning()) {
        // one more read: the monitor may have written its last records just before exiting
        const { bytesRead: more } = await fh.read(buf, 0, 1, pos);
        if (more === 0) return;
        continue;
      }
      await waitForChange(file, 250, opts.signal);
    }
  } finally {
    await fh.close();
  }
}

function parseRecord(line: Buffer, cursor: number): LogLine | undefined {
  if (line.length === 0) return undefined;
  try {
    const r = JSON.parse(line.toString('utf8')) as { log?: unknown; stream?: unknown; time?: unknown };
    if (typeof r.log !== 'string') return undefined;
    return {
      cursor,
      stream: r.stream === 'stderr' ? 'stderr' : 'stdout',
      time: typeof r.time === 'string' ? r.time : '',
      text: r.log,
    };
  } catch {
    return undefined; // a torn last line from a crash: skip it rather than fail the whole read
  }
}

async function startOffset(fh: fs.promises.FileHandle, opts: ReadLogsOptions): Promise<number> {
  const { size } = await fh.stat();
  if (opts.after !== undefined) {
    // resume after the record that starts at `after`
    const start = Math.min(opts.after, size);
    const buf = Buffer.alloc(CHUNK);
    let pos = start;
    while (pos < size) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
      if (nl >= 0) return pos + nl + 1;
      pos += bytesRead;
    }
    return size;
  }
  if (opts.tail === undefined) return 0;
  if (opts.tail === 0) return size;
  // walk back from the end counting newlines; the last byte is a record's own newline
  let want = opts.tail + 1;
  let pos = size;
  const buf = Buffer.alloc(CHUNK);
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    pos -= len;
    await fh.read(buf, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      if (buf[i] === 0x0a && --want === 0) return pos + i + 1;
    }
  }
  return 0;
}

function waitForChange(file: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let watcher: fs.FSWatcher | undefined;
    const done = () => {
      clearTimeout(timer);
      watcher?.close();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    try {
      watcher = fs.watch(file, done);
      watcher.on('error', done);
    } catch {
      /* the timer alone still wakes us */
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
