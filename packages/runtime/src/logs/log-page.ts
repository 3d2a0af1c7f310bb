// One page of a container's log for the dashboard's viewer: the first or last N records, the N
// before or after a record (its file and offset), optionally only those containing a text
// (case-insensitive) and within since/until. The viewer holds a window of pages and moves it, so
// a log of millions of lines is browsed without ever being loaded whole.
import type { LogLine } from '@berth/shared';
import { closeAll, openLogSet, type OpenLogFile } from './log-files';
import { afterRecord, linesBackward } from './log-reader';
import { compareTime, parseRecord, recordText, recordTime, timeBound, type LogRecord } from './log-record';

export interface LogPageQuery {
  /** head: from the start; tail: up to the end; before/after: next to `anchor` */
  from: 'head' | 'tail' | 'before' | 'after';
  anchor?: { file: number; cursor: number };
  limit: number;
  /** only records whose text contains this (case-insensitive) */
  grep?: string;
  since?: string;
  until?: string;
}

export interface LogPage {
  lines: LogLine[];
  /** more records (matching) lie beyond this page in its direction */
  more: boolean;
}

const CHUNK = 1024 * 1024;

function line(r: LogRecord): LogLine {
  return { cursor: r.cursor, file: r.file, stream: r.stream, time: recordTime(r), text: recordText(r) };
}

export async function readLogPage(path: string, q: LogPageQuery): Promise<LogPage> {
  const files = await openLogSet(path);
  try {
    if (files.length === 0) return { lines: [], more: false };
    const since = timeBound(q.since);
    const until = timeBound(q.until);
    const needle = q.grep?.toLowerCase();
    const keep = (r: LogRecord | undefined): r is LogRecord =>
      !!r && !(since && compareTime(r, since) < 0) && !(until && compareTime(r, until) > 0) && (!needle || recordText(r).toLowerCase().includes(needle));
    return q.from === 'head' || q.from === 'after' ? await forward(files, q, keep) : await backward(files, q, keep);
  } finally {
    await closeAll(files);
  }
}

function anchorIndex(files: OpenLogFile[], q: LogPageQuery): number {
  if (!q.anchor) throw Object.assign(new Error(`a log page ${q.from} a record needs its anchor`), { code: 'invalid_argument' });
  return files.findIndex((f) => f.ino === q.anchor!.file);
}

async function forward(files: OpenLogFile[], q: LogPageQuery, keep: (r: LogRecord | undefined) => r is LogRecord): Promise<LogPage> {
  let index = 0;
  let pos = 0;
  if (q.from === 'after') {
    index = anchorIndex(files, q);
    if (index < 0) index = 0; // rotated away: the oldest kept file follows it
    else pos = await afterRecord(files[index]!.fh, q.anchor!.cursor);
  }
  const out: LogLine[] = [];
  for (; index < files.length; index++, pos = 0) {
    const f = files[index]!;
    let carry = Buffer.alloc(0);
    let carryAt = pos;
    for (;;) {
      const b = Buffer.allocUnsafe(carry.length + CHUNK);
      carry.copy(b, 0);
      const { bytesRead } = await f.fh.read(b, carry.length, CHUNK, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const total = carry.length + bytesRead;
      let ls = 0;
      for (;;) {
        const nl = b.indexOf(0x0a, ls);
        if (nl < 0 || nl >= total) break;
        const rec = parseRecord(b, ls, nl, f.ino, carryAt + ls);
        ls = nl + 1;
        if (!keep(rec)) continue;
        if (out.length === q.limit) return { lines: out, more: true };
        out.push(line(rec));
      }
      carry = Buffer.from(b.subarray(ls, total));
      carryAt += ls;
    }
  }
  return { lines: out, more: false };
}

async function backward(files: OpenLogFile[], q: LogPageQuery, keep: (r: LogRecord | undefined) => r is LogRecord): Promise<LogPage> {
  let index = files.length - 1;
  let end: number | undefined;
  if (q.from === 'before') {
    index = anchorIndex(files, q);
    if (index < 0) return { lines: [], more: false }; // rotated away: nothing older is kept
    end = q.anchor!.cursor;
  }
  const out: LogLine[] = [];
  for (; index >= 0; index--, end = undefined) {
    const f = files[index]!;
    for await (const [b, s, e, at] of linesBackward(f.fh, end)) {
      const rec = parseRecord(b, s, e, f.ino, at);
      if (!keep(rec)) continue;
      if (out.length === q.limit) return { lines: out.reverse(), more: true };
      out.push(line(rec));
    }
  }
  return { lines: out.reverse(), more: false };
}
