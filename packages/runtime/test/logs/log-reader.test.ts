// The json-file reader on files written here in the monitor's exact format (no root, no agent):
// the fast record path against JSON.parse, rotated files in order, tail/since/until across them,
// cursors, and following across a rotation.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { readLogs, type ReadLogsOptions } from '../../src/logs/log-reader';
import { parseRecord, recordText, recordTime } from '../../src/logs/log-record';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-logs-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** the i-th second after a fixed start, in the monitor's time form */
const T = (i: number, ns = 0) => `2026-12-04T08:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${String(ns).padStart(9, '0')}Z`;
/** a record exactly as logfile.c writes it */
const rec = (text: string, i: number, stream = 'stdout') => `${JSON.stringify({ log: text, stream, time: T(i) })}\n`;

async function all(file: string, o: Partial<ReadLogsOptions> = {}) {
  const out = [];
  for await (const l of readLogs(file, { follow: false, isRunning: () => false, ...o })) out.push(l);
  return out;
}
const texts = (ls: { text: string }[]) => ls.map((l) => l.text).join('');

describe('log records', () => {
  it('the fast path reads the same text, stream and time as JSON.parse', () => {
    const cases = ['plain\n', 'no newline', 'tab\there\n', 'quote " and \\ backslash\n', 'ünïcødé ✓\n', '\u0001ctl\r\n', '', '\n'];
    for (const text of cases) {
      for (const stream of ['stdout', 'stderr']) {
        const line = Buffer.from(rec(text, 7, stream).trimEnd());
        const r = parseRecord(line, 0, line.length, 1, 0)!;
        assert.equal(recordText(r), text, JSON.stringify(text));
        assert.equal(r.stream, stream);
        assert.equal(recordTime(r), T(7));
      }
    }
  });
  it('reads other writers\' field order through JSON.parse, and skips torn lines', () => {
    const line = Buffer.from('{"stream":"stderr","time":"2026-12-04T08:00:01.5Z","log":"x\\n","attrs":{}}');
    const r = parseRecord(line, 0, line.length, 1, 0)!;
    assert.deepEqual([recordText(r), r.stream, recordTime(r)], ['x\n', 'stderr', '2026-12-04T08:00:01.500000000Z']);
    const torn = Buffer.from('{"log":"abc');
    assert.equal(parseRecord(torn, 0, torn.length, 1, 0), undefined);
  });
});

describe('readLogs over rotated files', () => {
  // lines 1..30, one per second: .2 holds 1-10, .1 11-20, the current file 21-30
  const file = path.join(dir, 'rot.log');
  const write = (name: string, from: number) => fs.writeFileSync(name, Array.from({ length: 10 }, (_, k) => rec(`line${from + k}\n`, from + k, (from + k) % 5 === 0 ? 'stderr' : 'stdout')).join(''));
  write(`${file}.2`, 1);
  write(`${file}.1`, 11);
  write(file, 21);
  const lines = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => `line${a + k}\n`).join('');

  it('reads every file, oldest first', async () => {
    assert.equal(texts(await all(file)), lines(1, 30));
  });
  it('--tail counts back across files', async () => {
    assert.equal(texts(await all(file, { tail: 5 })), lines(26, 30));
    assert.equal(texts(await all(file, { tail: 15 })), lines(16, 30));
    assert.equal(texts(await all(file, { tail: 100 })), lines(1, 30));
    assert.equal(texts(await all(file, { tail: 0 })), '');
  });
  it('--since/--until are inclusive and exact to the nanosecond', async () => {
    assert.equal(texts(await all(file, { since: T(15) })), lines(15, 30));
    assert.equal(texts(await all(file, { since: T(14, 1) })), lines(15, 30));
    assert.equal(texts(await all(file, { until: T(12) })), lines(1, 12));
    assert.equal(texts(await all(file, { until: T(12, 999_999_999) })), lines(1, 12));
    assert.equal(texts(await all(file, { since: T(9), until: T(22) })), lines(9, 22));
    assert.equal(texts(await all(file, { since: T(40) })), '');
  });
  it('--tail applies after since/until, as in Docker', async () => {
    assert.equal(texts(await all(file, { until: T(12), tail: 3 })), lines(10, 12));
    assert.equal(texts(await all(file, { since: T(28), tail: 5 })), lines(28, 30));
    assert.equal(texts(await all(file, { since: T(5), until: T(25), tail: 2 })), lines(24, 25));
  });
  it('a cursor (file inode + offset) resumes after its record, in whichever file it is', async () => {
    const ls = await all(file);
    const at = ls.findIndex((l) => l.text === 'line14\n');
    assert.equal(texts(await all(file, { after: ls[at].cursor, afterFile: ls[at].file })), lines(15, 30));
    // a file that is gone: from the oldest kept one
    assert.equal(texts(await all(file, { after: 0, afterFile: 999_999_999 })), lines(1, 30));
    assert.equal(ls.filter((l) => l.stream === 'stderr').length, 6);
  });
});

describe('readLogs -f', () => {
  it('follows across a rotation without losing or repeating a record, and ends after the container', async () => {
    const file = path.join(dir, 'follow.log');
    fs.writeFileSync(file, rec('a1\n', 1));
    let running = true;
    const got: string[] = [];
    const done = (async () => {
      for await (const l of readLogs(file, { follow: true, isRunning: () => running })) got.push(l.text);
    })();
    const until = async (n: number) => {
      for (let i = 0; i < 200 && got.length < n; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal(got.length, n);
    };
    await until(1);
    // what the monitor does: a last record into the old file, rename, a fresh file
    fs.appendFileSync(file, rec('a2\n', 2));
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, rec('b1\n', 3));
    await until(3);
    fs.appendFileSync(file, rec('b2\n', 4));
    // another rotation, the older files shifting up: it goes on with the file after the one it held
    fs.renameSync(`${file}.1`, `${file}.2`);
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, rec('c1\n', 5));
    await until(5);
    running = false;
    fs.appendFileSync(file, rec('c2\n', 6));
    await done;
    assert.deepEqual(got, ['a1\n', 'a2\n', 'b1\n', 'b2\n', 'c1\n', 'c2\n']);
  });
});
