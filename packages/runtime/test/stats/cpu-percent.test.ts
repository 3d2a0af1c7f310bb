import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuPercent } from '../../src/stats/cpu-percent';

const s = (cpuUsageNs: number, timeNs: number) => ({ cpuUsageNs, timeNs });

describe('cpuPercent', () => {
  it('is 100 for one core busy for the whole interval', () => {
    assert.equal(cpuPercent(s(0, 0), s(1e9, 1e9)), 100);
  });
  it('goes above 100 with several cores', () => {
    assert.equal(cpuPercent(s(5e8, 1e9), s(3.5e9, 2e9)), 300);
  });
  it('handles fractions', () => {
    assert.equal(cpuPercent(s(1e9, 10e9), s(1.25e9, 11e9)), 25);
  });
  it('is 0 for an empty or backwards interval and for a counter reset', () => {
    assert.equal(cpuPercent(s(0, 5), s(100, 5)), 0);
    assert.equal(cpuPercent(s(0, 5), s(100, 4)), 0);
    assert.equal(cpuPercent(s(9e9, 0), s(1e9, 1e9)), 0);
  });
});
