// One json-file record, parsed without JSON.parse when it is in the exact shape the monitor
// writes: {"log":"TEXT","stream":"stdout|stderr","time":"YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ"}.
// TEXT is usually plain bytes ending in the escape \n; anything else (other escapes, another
// writer's field order) falls back to JSON.parse. Records point into the read buffer: no copies.
import { formatLogTime, parseLogTimeNs } from '@berth/shared';

export interface LogRecord {
  /** the log file's inode: which file of a rotated log the cursor is in */
  file: number;
  /** byte offset of the record in its file */
  cursor: number;
  stream: 'stdout' | 'stderr';
  /** the text is body[bodyStart, bodyEnd) followed by "\n" when newline */
  body: Buffer;
  bodyStart: number;
  bodyEnd: number;
  newline: boolean;
  /** 30 bytes of the time at tbuf[tAt] in the log's canonical form (sorts as bytes) */
  tbuf: Buffer;
  tAt: number;
}

const TIME_LEN = 30; // 2026-12-03T18:00:00.123456789Z
const HEAD = Buffer.from('{"log":"');
const MID = Buffer.from('","stream":"stdout","time":"');
const SUFFIX_LEN = MID.length + TIME_LEN + 2; // ..."}
const BACKSLASH = 0x5c;

/** Parses buf[start, end) (a line without its newline); undefined for an empty or torn line. */
export function parseRecord(buf: Buffer, start: number, end: number, file: number, cursor: number): LogRecord | undefined {
  const len = end - start;
  if (len === 0) return undefined;
  const m = end - SUFFIX_LEN; // where `","stream":"` starts
  if (len >= HEAD.length + SUFFIX_LEN && buf[end - 1] === 0x7d && buf[end - 2] === 0x22 && buf[end - 3] === 0x5a && same(buf, start, HEAD, 0, HEAD.length) && same(buf, m, MID, 0, 12) && same(buf, m + 18, MID, 18, MID.length)) {
    const s = buf[m + 15]; // stdout / stderr: 'o' or 'e'
    const stream = s === 0x6f ? 'stdout' : s === 0x65 ? 'stderr' : undefined;
    const bodyStart = start + HEAD.length;
    const bs = buf.indexOf(BACKSLASH, bodyStart);
    if (stream && (bs < 0 || bs >= m)) {
      return { file, cursor, stream, body: buf, bodyStart, bodyEnd: m, newline: false, tbuf: buf, tAt: end - 2 - TIME_LEN };
    }
    if (stream && bs === m - 2 && buf[m - 1] === 0x6e) {
      return { file, cursor, stream, body: buf, bodyStart, bodyEnd: m - 2, newline: true, tbuf: buf, tAt: end - 2 - TIME_LEN };
    }
  }
  return parseSlow(buf, start, end, file, cursor);
}

/** buf[at ...] equals pat[from, to): a byte loop, cheaper than a native call for a few bytes */
function same(buf: Buffer, at: number, pat: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[at + i - from] !== pat[i]) return false;
  return true;
}

function parseSlow(buf: Buffer, start: number, end: number, file: number, cursor: number): LogRecord | undefined {
  let r: { log?: unknown; stream?: unknown; time?: unknown };
  try {
    r = JSON.parse(buf.toString('utf8', start, end));
  } catch {
    return undefined; // a torn last line from a crash: skip it rather than fail the whole read
  }
  if (typeof r.log !== 'string') return undefined;
  const body = Buffer.from(r.log, 'utf8');
  const ns = typeof r.time === 'string' ? parseLogTimeNs(r.time) : undefined;
  const tbuf = Buffer.from(formatLogTime(ns ?? 0n), 'latin1');
  return { file, cursor, stream: r.stream === 'stderr' ? 'stderr' : 'stdout', body, bodyStart: 0, bodyEnd: body.length, newline: false, tbuf, tAt: 0 };
}

export function recordText(r: LogRecord): string {
  const t = r.body.toString('utf8', r.bodyStart, r.bodyEnd);
  return r.newline ? t + '\n' : t;
}

export function recordTime(r: LogRecord): string {
  return r.tbuf.toString('latin1', r.tAt, r.tAt + TIME_LEN);
}

/** <0, 0, >0 as the record's time is before, at, after `bound` (30 latin1 bytes, see timeBound). */
export function compareTime(r: LogRecord, bound: Buffer): number {
  return r.tbuf.compare(bound, 0, TIME_LEN, r.tAt, r.tAt + TIME_LEN);
}

/** A since/until bound in the log's time form (formatLogTime's 30 characters) as bytes. */
export function timeBound(t: string | undefined): Buffer | undefined {
  if (t === undefined) return undefined;
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/.test(t)) throw new Error(`log time bound not in canonical form: ${t}`);
  return Buffer.from(t, 'latin1');
}

export const LOG_TIME_LEN = TIME_LEN;
