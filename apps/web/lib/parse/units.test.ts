import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, parseCpus, parseEnvLines, parseMemory } from './units';

test('parseMemory understands docker-style units', () => {
  assert.equal(parseMemory('64m'), 64 * 1024 * 1024);
  assert.equal(parseMemory('1g'), 1024 ** 3);
  assert.equal(parseMemory('512k'), 512 * 1024);
  assert.equal(parseMemory('1048576'), 1048576);
  assert.equal(parseMemory('64MiB'), 64 * 1024 * 1024);
  assert.equal(parseMemory('64MB'), 64 * 1024 * 1024);
  assert.equal(parseMemory('1.5G'), 1.5 * 1024 ** 3);
});
test('parseMemory rejects nonsense', () => {
  assert.throws(() => parseMemory('lots'), /invalid memory size/);
  assert.throws(() => parseMemory('0'), /must be positive/);
  assert.throws(() => parseMemory('-5m'), /invalid memory size/);
});
test('parseCpus gives nano cpus', () => {
  assert.equal(parseCpus('0.5'), 500_000_000);
  assert.equal(parseCpus('2'), 2_000_000_000);
  assert.equal(parseCpus('.25'), 250_000_000);
  assert.throws(() => parseCpus('0'), /must be positive/);
  assert.throws(() => parseCpus('half'), /invalid cpus/);
});
test('formatBytes', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(64 * 1024 * 1024), '64.0 MiB');
});
test('parseEnvLines', () => {
  assert.deepEqual(parseEnvLines('A=1\n\n# c\n B=x=y \nC='), ['A=1', 'B=x=y', 'C=']);
  assert.throws(() => parseEnvLines('NOVALUE'), /KEY=VALUE/);
});
