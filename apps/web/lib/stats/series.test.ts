import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatsSample } from '@berth/shared';
import { throttledShare } from './series';

const s = (t: number, throttled?: number): StatsSample => ({
  time: new Date(t).toISOString(),
  cpuPercent: 0,
  cpuUsageNs: 0,
  memoryBytes: 0,
  memoryLimitBytes: null,
  pids: 1,
  pidsLimit: null,
  ...(throttled !== undefined ? { throttledPeriods: throttled } : {}),
});

test('throttled share: throttled periods over the 100 ms periods that passed', () => {
  assert.equal(throttledShare([s(0, 0), s(10_000, 50)]), 0.5);
  assert.equal(throttledShare([s(0, 10), s(10_000, 10)]), 0);
  assert.equal(throttledShare([s(0)]), 0);
  assert.equal(throttledShare([s(0, 0), s(1000, 500)]), 1, 'clamped');
});
