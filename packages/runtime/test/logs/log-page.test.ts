// Pages of a rotated log for the dashboard's viewer, on files in the monitor's exact format:
// head/tail/before/after move through every file without gaps or repeats; grep and time bounds.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { readLogPage } from '../../src/logs/log-page';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-logpage-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const T = (i: number) => `2026-12-04T09:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000000000Z`;
const rec = (text: string, i: number, stream = 'stdout') => `${JSON.stringify({ log: text, stream, time: T(i) })}\n`;

// 1..90 over three files (.2: 1-30, .1: 31-60, current: 61-90); every line of a file shares a
// second, as a fast writer's chunks do, so paging cannot lean on times
const log = path.join(dir, 'container.log');
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => a + k);
fs.writeFileSync(`${log}.2`, range(1, 30).map((n) => rec(`line ${n}\n`, 1)).join(''));
fs.writeFileSync(`${log}.1`, range(31, 60).map((n) => rec(`line ${n}\n`, 2, n % 10 === 0 ? 'stderr' : 'stdout')).join(''));
fs.writeFileSync(log, range(61, 90).map((n) => rec(`line ${n}\n`, 3)).join(''));
const nums = (p: { lines: { text: string }[] }) => p.lines.map((l) => Number(l.text.slice(5)));

describe('readLogPage', () => {
  it('walks the whole log backwards from the tail and forwards from the head, across files', async () => {
    const seen: number[] = [];
    let page = await readLogPage(log, { from: 'tail', limit: 25 });
    seen.unshift(...nums(page));
    while (page.more) {
      const first = page.lines[0]!;
      page = await readLogPage(log, { from: 'before', anchor: { file: first.file!, cursor: first.cursor }, limit: 25 });
      seen.unshift(...nums(page));
    }
    assert.deepEqual(seen, range(1, 90));
    const fwd: number[] = [];
    page = await readLogPage(log, { from: 'head', limit: 40 });
    fwd.push(...nums(page));
    while (page.more) {
      const last = page.lines.at(-1)!;
      page = await readLogPage(log, { from: 'after', anchor: { file: last.file!, cursor: last.cursor }, limit: 40 });
      fwd.push(...nums(page));
    }
    assert.deepEqual(fwd, range(1, 90));
  });

  it('grep is case-insensitive and pages; since/until bound by time; stderr kept apart', async () => {
    const g = await readLogPage(log, { from: 'tail', limit: 5, grep: 'LINE 7' });
    assert.deepEqual(nums(g), [75, 76, 77, 78, 79]);
    assert.equal(g.more, true);
    const all7 = await readLogPage(log, { from: 'head', limit: 100, grep: 'line 7' });
    assert.deepEqual(nums(all7), [7, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79]);
    const mid = await readLogPage(log, { from: 'head', limit: 100, since: T(2), until: T(2) });
    assert.deepEqual(nums(mid), range(31, 60));
    assert.deepEqual(
      mid.lines.filter((l) => l.stream === 'stderr').map((l) => l.text.trim()),
      ['line 40', 'line 50', 'line 60'],
    );
    assert.deepEqual(nums(await readLogPage(log, { from: 'tail', limit: 100, grep: 'nothing like this' })), []);
  });

  it('an anchor is required next to a record; a missing log is an empty page', async () => {
    await assert.rejects(readLogPage(log, { from: 'before', limit: 1 }), /needs its anchor/);
    assert.deepEqual(await readLogPage(path.join(dir, 'none.log'), { from: 'tail', limit: 5 }), { lines: [], more: false });
  });
});
