// Reads a container's json-file log (written, and rotated, by its monitor): all of it, the last N
// records, from a cursor, or between two times, across the rotated files oldest first, and
// optionally follows it while the container runs, also across a rotation. Records come in
// batches (one per read of up to 1 MiB) so that a large log reads back at disk speed.
import fs from 'node:fs';
import type { LogLine } from '@berth/shared';
import { closeAll, openLogSet, statIno, type OpenLogFile } from './log-files';
import { compareTime, parseRecord, recordText, recordTime, timeBound, type LogRecord } from './log-record';

export interface ReadLogsOptions {
  follow: boolean;
  /** the last N records (after since/until filtering, like Docker) */
  tail?: number;
  /** cursor: resume after the record at this offset ... */
  after?: number;
  /** ... of the file with this inode (absent: the current file) */
  afterFile?: number;
  /** inclusive bounds in the log's time form (formatLogTime in @berth/shared) */
  since?: string;
  until?: string;
  /** polled at end of file while following: when false, reading stops after a last drain */
  isRunning: () => boolean;
  signal?: AbortSignal;
}

const CHUNK = 1024 * 1024;
const BACK_CHUNK = 64 * 1024;

export async function* readLogs(path: string, opts: ReadLogsOptions): AsyncGenerator<LogLine> {
  for await (const batch of readLogBatches(path, opts)) {
    for (const r of batch) yield { cursor: r.cursor, file: r.file, stream: r.stream, time: recordTime(r), text: recordText(r) };
  }
}

interface Position {
  index: number;
  offset: number;
}

export async function* readLogBatches(path: string, opts: ReadLogsOptions): AsyncGenerator<LogRecord[]> {
  const since = timeBound(opts.since);
  const until = timeBound(opts.until);
  const untilMs = opts.until !== undefined ? Date.parse(opts.until) : undefined;
  let files = await openLogSet(path);
  if (files.length === 0) return;
  try {
    let { index, offset: pos } = await startPosition(files, opts, since, until);
    let carry: Buffer = Buffer.alloc(0);
    let carryAt = pos;
    let rotated = false; // the current file was renamed away: drain it, then go on with the next
    let lastDrain = false;
    for (;;) {
      if (opts.signal?.aborted) return;
      const f = files[index];
      const b = Buffer.allocUnsafe(carry.length + CHUNK);
      carry.copy(b, 0);
      const { bytesRead } = await f.fh.read(b, carry.length, CHUNK, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        const total = carry.length + bytesRead;
        const batch: LogRecord[] = [];
        let ls = 0;
        for (;;) {
          const nl = b.indexOf(0x0a, ls);
          if (nl < 0 || nl >= total) break;
          const rec = parseRecord(b, ls, nl, f.ino, carryAt + ls);
          ls = nl + 1;
          if (!rec || (since && compareTime(rec, since) < 0)) continue;
          if (until && compareTime(rec, until) > 0) {
            if (batch.length) yield batch;
            return;
          }
          batch.push(rec);
        }
        carry = b.subarray(ls, total);
        carryAt += ls;
        if (batch.length) yield batch;
        continue;
      }
      // end of this file
      if (index < files.length - 1) {
        index++;
        pos = carryAt = 0;
        carry = Buffer.alloc(0); // a torn last line of a rotated file (a crash) is skipped
        continue;
      }
      if (!opts.follow || lastDrain) return;
      if (rotated) {
        files = await nextFiles(path, files, f);
        rotated = false;
        index = 0;
        pos = carryAt = 0;
        carry = Buffer.alloc(0);
        if (files.length === 0) return;
        continue;
      }
      const ino = statIno(path);
      if (ino !== undefined && ino !== f.ino) {
        rotated = true; // read once more: the monitor wrote its last records here before the rename
        continue;
      }
      if (ino === undefined) {
        await sleep(10); // between the monitor's rename and its new file
        continue;
      }
      if (!opts.isRunning()) {
        lastDrain = true; // one more read: the monitor may have written its last records just before exiting
        continue;
      }
      if (untilMs !== undefined && Date.now() > untilMs) return;
      await waitForChange(path, 250, opts.signal);
    }
  } finally {
    await closeAll(files);
  }
}

/** After `cur` was rotated away: the files that came after it, opened; the old ones closed. */
async function nextFiles(path: string, files: OpenLogFile[], cur: OpenLogFile): Promise<OpenLogFile[]> {
  const now = await openLogSet(path);
  const i = now.findIndex((f) => f.ino === cur.ino);
  // not there any more: every file now is newer than ours (what was between is gone, as in Docker)
  const next = i >= 0 ? now.slice(i + 1) : now;
  await closeAll([...files, ...now.filter((f) => !next.includes(f))]);
  return next;
}

async function startPosition(files: OpenLogFile[], opts: ReadLogsOptions, since?: Buffer, until?: Buffer): Promise<Position> {
  const last = files.length - 1;
  if (opts.after !== undefined) {
    const index = opts.afterFile === undefined ? last : files.findIndex((f) => f.ino === opts.afterFile);
    if (index < 0) return { index: 0, offset: 0 }; // that file was rotated away: from the oldest kept
    return { index, offset: await afterRecord(files[index].fh, opts.after) };
  }
  if (opts.tail !== undefined) {
    if (opts.tail === 0) return { index: last, offset: (await files[last].fh.stat()).size };
    let count = 0;
    for (let j = last; j >= 0; j--) {
      for await (const [b, s, e, at] of linesBackward(files[j].fh)) {
        if (since || until) {
          const rec = parseRecord(b, s, e, files[j].ino, at);
          if (!rec || (until && compareTime(rec, until) > 0)) continue;
          if (since && compareTime(rec, since) < 0) return { index: j, offset: at + (e - s) + 1 };
        } else if (e === s) continue;
        if (++count === opts.tail) return { index: j, offset: at };
      }
    }
    return { index: 0, offset: 0 };
  }
  if (since) {
    // whole rotated files older than --since are skipped by their last record
    for (let j = 0; j < last; j++) {
      const lastRec = await lastRecord(files[j]);
      if (!lastRec || compareTime(lastRec, since) >= 0) return { index: j, offset: 0 };
    }
    return { index: last, offset: 0 };
  }
  return { index: 0, offset: 0 };
}

async function lastRecord(f: OpenLogFile): Promise<LogRecord | undefined> {
  for await (const [b, s, e, at] of linesBackward(f.fh)) {
    const rec = parseRecord(b, s, e, f.ino, at);
    if (rec) return rec;
  }
  return undefined;
}

/** The offset of the record after the one that starts at `after`. */
export async function afterRecord(fh: fs.promises.FileHandle, after: number): Promise<number> {
  const { size } = await fh.stat();
  const buf = Buffer.alloc(BACK_CHUNK);
  let pos = Math.min(after, size);
  while (pos < size) {
    const { bytesRead } = await fh.read(buf, 0, BACK_CHUNK, pos);
    if (bytesRead === 0) break;
    const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
    if (nl >= 0) return pos + nl + 1;
    pos += bytesRead;
  }
  return size;
}

/**
 * Complete lines from the end of the file (or from `end`, a record's start) backwards: [buf,
 * start, end, fileOffset of start]. The bytes after the last newline (a record being written) are
 * not a line yet and are skipped.
 */
export async function* linesBackward(fh: fs.promises.FileHandle, end?: number): AsyncGenerator<[Buffer, number, number, number]> {
  let pos = end ?? (await fh.stat()).size;
  let carry: Buffer = Buffer.alloc(0);
  let first = true;
  for (;;) {
    const len = Math.min(BACK_CHUNK, pos);
    if (len === 0) {
      if (!first) yield [carry, 0, carry.length, 0];
      return;
    }
    const b = Buffer.allocUnsafe(len + carry.length);
    await fh.read(b, 0, len, pos - len);
    carry.copy(b, len);
    pos -= len;
    let segEnd = b.length;
    let nl = b.lastIndexOf(0x0a, segEnd - 1);
    while (nl >= 0) {
      if (first) first = false;
      else yield [b, nl + 1, segEnd, pos + nl + 1];
      segEnd = nl;
      nl = segEnd > 0 ? b.lastIndexOf(0x0a, segEnd - 1) : -1;
    }
    carry = b.subarray(0, segEnd);
  }
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
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
