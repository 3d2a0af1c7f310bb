// `logs --since/--until` times and `--log-opt` validation (no root, no agent).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogConfig, LogTimeBound, formatLogTime, logRotation, parseDuration, parseLogSize, parseLogTime } from '../src/logs';

const NOW = Date.parse('2026-12-04T12:00:00.000Z');

describe('parseLogTime', () => {
  it('turns RFC 3339 into the log time form, keeping nanoseconds and honouring the zone', () => {
    assert.equal(parseLogTime('2026-12-04T08:00:00Z'), '2026-12-04T08:00:00.000000000Z');
    assert.equal(parseLogTime('2026-12-04T08:00:00.123456789Z'), '2026-12-04T08:00:00.123456789Z');
    assert.equal(parseLogTime('2026-12-04T08:00:00.5Z'), '2026-12-04T08:00:00.500000000Z');
    assert.equal(parseLogTime('2026-12-04T09:30:00+01:30'), '2026-12-04T08:00:00.000000000Z');
    assert.equal(parseLogTime('2026-12-04T06:00:00.000000001-02:00'), '2026-12-04T08:00:00.000000001Z');
  });
  it('reads a time without a zone, and a bare date, as local time (like Docker)', () => {
    const local = new Date(2026, 11, 4, 8, 0, 0).getTime();
    assert.equal(parseLogTime('2026-12-04T08:00:00'), formatLogTime(BigInt(local) * 1_000_000n));
    assert.equal(parseLogTime('2026-12-04'), formatLogTime(BigInt(new Date(2026, 11, 4).getTime()) * 1_000_000n));
  });
  it('reads unix seconds with a fraction exactly (what the docker CLI sends)', () => {
    assert.equal(parseLogTime('1700000000.000000000'), '2023-11-14T22:13:20.000000000Z');
    assert.equal(parseLogTime('1700000000.123456789'), '2023-11-14T22:13:20.123456789Z');
    assert.equal(parseLogTime('1700000000.5'), '2023-11-14T22:13:20.500000000Z');
    assert.equal(parseLogTime('1700000000'), '2023-11-14T22:13:20.000000000Z');
  });
  it('counts durations back from now, in Go syntax', () => {
    assert.equal(parseLogTime('10m', NOW), '2026-12-04T11:50:00.000000000Z');
    assert.equal(parseLogTime('1h30m', NOW), '2026-12-04T10:30:00.000000000Z');
    assert.equal(parseLogTime('1.5h', NOW), '2026-12-04T10:30:00.000000000Z');
    assert.equal(parseLogTime('90s', NOW), '2026-12-04T11:58:30.000000000Z');
    assert.equal(parseLogTime('250ms', NOW), '2026-12-04T11:59:59.750000000Z');
    assert.equal(parseDuration('1h2m3s4ms5us6ns'), 3_723_004_005_006n);
  });
  it('rejects what is none of these', () => {
    for (const bad of ['yesterday-ish', '', '10x', 'm', '2026-13-01', '2026-12-04T25:00:00Z', '1h-30m', 'now']) {
      assert.equal(parseLogTime(bad, NOW), undefined, bad);
    }
    const r = LogTimeBound.safeParse('yesterday-ish');
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0].message, /invalid time "yesterday-ish": want RFC 3339/);
  });
  it('gives text that sorts like the times', () => {
    const a = parseLogTime('1700000000.999999999')!;
    const b = parseLogTime('1700000001.000000000')!;
    assert.ok(a < b);
    assert.equal(a.length, 30);
  });
});

describe('--log-opt (LogConfig)', () => {
  const issues = (config: Record<string, string>, type?: string) => {
    const r = LogConfig.safeParse({ type, config });
    return r.success ? [] : r.error.issues.map((i) => i.message);
  };
  it('accepts max-size with k/m/g and max-file with it', () => {
    assert.deepEqual(issues({ 'max-size': '10m', 'max-file': '3' }), []);
    assert.deepEqual(issues({ 'max-size': '512k' }), []);
    assert.deepEqual(issues({ 'max-file': '1' }), []);
    assert.equal(parseLogSize('10m'), 10 * 1024 * 1024);
    assert.equal(parseLogSize('1.5g'), 1.5 * 1024 ** 3);
    assert.equal(parseLogSize('100'), 100);
    assert.equal(parseLogSize('2MB'), 2 * 1024 * 1024);
    assert.deepEqual(logRotation({ config: { 'max-size': '1m', 'max-file': '3' } }), { maxSize: 1024 * 1024, maxFile: 3 });
    assert.deepEqual(logRotation({ config: { 'max-size': '1m' } }), { maxSize: 1024 * 1024, maxFile: 1 });
    assert.deepEqual(logRotation(undefined), { maxSize: 0, maxFile: 1 });
  });
  it('names the problem', () => {
    assert.match(issues({ 'max-file': '3' }).join(), /max-file=3 needs max-size/);
    assert.match(issues({ 'max-size': 'banana' }).join(), /invalid log opt max-size=banana/);
    assert.match(issues({ 'max-size': '1m', 'max-file': '0' }).join(), /invalid log opt max-file=0/);
    assert.match(issues({ 'max-size': '1m', 'max-file': 'x' }).join(), /invalid log opt max-file=x/);
    assert.match(issues({ compress: 'true' }).join(), /unknown log opt 'compress' for json-file/);
    assert.match(issues({}, 'syslog').join(), /log driver "syslog" is not supported/);
  });
});
