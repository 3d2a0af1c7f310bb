import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitCommand } from './split-command';

test('splits on whitespace', () => {
  assert.deepEqual(splitCommand('  ls   -la /tmp '), ['ls', '-la', '/tmp']);
});
test('honours single quotes literally', () => {
  assert.deepEqual(splitCommand(`sh -c 'while true; do date; sleep 1; done'`), ['sh', '-c', 'while true; do date; sleep 1; done']);
  assert.deepEqual(splitCommand(`echo 'a\\b "c"'`), ['echo', 'a\\b "c"']);
});
test('honours double quotes with escapes', () => {
  assert.deepEqual(splitCommand(`echo "a \\"b\\" $HOME" x`), ['echo', 'a "b" $HOME', 'x']);
});
test('joins adjacent quoted parts into one word', () => {
  assert.deepEqual(splitCommand(`a'b c'"d e"f`), ['ab cd ef']);
});
test('keeps empty quoted words', () => {
  assert.deepEqual(splitCommand(`printf '' x`), ['printf', '', 'x']);
});
test('backslash escapes outside quotes', () => {
  assert.deepEqual(splitCommand('echo a\\ b'), ['echo', 'a b']);
});
test('empty input gives no words', () => {
  assert.deepEqual(splitCommand('   '), []);
});
test('rejects unterminated quotes', () => {
  assert.throws(() => splitCommand(`echo 'abc`), /unterminated single quote/);
  assert.throws(() => splitCommand(`echo "abc`), /unterminated double quote/);
});
