import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLine } from '@berth/shared';
import { append, emptyWindow, matches, prepend } from './log-window';

const L = (n: number): LogLine => ({ cursor: n * 10, file: 1, stream: 'stdout', time: '', text: `line ${n}\n` });
const nums = (ls: LogLine[]) => ls.map((l) => l.cursor / 10);

test('pages grow the window both ways without repeats; the far end is trimmed at max', () => {
  let w = append(emptyWindow, { lines: [L(5), L(6)], more: false }, 5).window;
  const p = prepend(w, { lines: [L(2), L(3), L(4), L(5)], more: true }, 5);
  assert.deepEqual(nums(p.window.lines), [2, 3, 4, 5, 6]);
  assert.equal(p.added, 3);
  assert.equal(p.window.moreBefore, true);
  assert.equal(p.window.moreAfter, false);
  const q = prepend(p.window, { lines: [L(1)], more: false }, 5);
  assert.deepEqual(nums(q.window.lines), [1, 2, 3, 4, 5]);
  assert.equal(q.window.moreAfter, true, 'line 6 was dropped: the window no longer reaches the end');
  w = append(q.window, { lines: [L(6), L(7)], more: false }, 5).window;
  assert.deepEqual(nums(w.lines), [3, 4, 5, 6, 7]);
  assert.equal(w.moreBefore, true);
});

test('search matches case-insensitively', () => {
  assert.equal(matches(L(7), 'LINE 7'), true);
  assert.equal(matches(L(7), 'line 8'), false);
  assert.equal(matches(L(7), ''), true);
});
