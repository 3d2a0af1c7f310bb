import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ansiSegments, stripAnsi } from './ansi';

test('SGR colours and styles become segments; reset ends them', () => {
  assert.deepEqual(ansiSegments('\x1b[31mred\x1b[0m plain \x1b[1;92mbold green\x1b[m'), [
    { text: 'red', fg: '#ef4444' },
    { text: ' plain ' },
    { text: 'bold green', bold: true, fg: '#4ade80' },
  ]);
  assert.deepEqual(ansiSegments('\x1b[38;5;196mx\x1b[48;2;1;2;3my'), [
    { text: 'x', fg: 'rgb(255,0,0)' },
    { text: 'y', fg: 'rgb(255,0,0)', bg: 'rgb(1,2,3)' },
  ]);
});

test('OSC titles and clipboard writes, cursor moves and controls are dropped, text stays', () => {
  const hostile = '\x1b]52;c;cHduZWQ=\x07\x1b]0;title\x1b\\a\x1b[2Jb\x1b[10;5Hc\x07d\x1bPq#0\x1b\\e';
  assert.deepEqual(ansiSegments(hostile), [{ text: 'abcde' }]);
  assert.equal(stripAnsi('\x1b[31m<img src=x>\x1b[0m\ttab'), '<img src=x>\ttab');
  assert.equal(stripAnsi('unterminated \x1b]0;title'), 'unterminated ');
});
