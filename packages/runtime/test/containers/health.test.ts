// The healthcheck state machine (containers/health.ts) with a fake probe and a fake clock: no
// containers, no real time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HealthState, HealthStatus } from '@berth/shared';
import { HealthChecker, probeCommand, truncateOutput, type HealthClock, type ProbeResult } from '../../src/containers/health';
import { resolveHealthcheck } from '../../src/containers/resolve-config';
import type { ResolvedHealthcheck } from '../../src/containers/record';

/** Timers run only when the test advances the clock. */
class FakeClock implements HealthClock {
  t = 1_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  pending() {
    return this.timers.length;
  }
  /** moves time forward, firing due timers in order, letting promises settle after each */
  async advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      await flush();
      this.timers.sort((a, b) => a.at - b.at);
      const due = this.timers[0];
      if (!due || due.at > end) break;
      this.timers.shift();
      this.t = due.at;
      due.fn();
    }
    this.t = end;
    await flush();
  }
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

const cfg = (o: Partial<ResolvedHealthcheck> = {}): ResolvedHealthcheck => ({ test: ['CMD-SHELL', 'check'], intervalMs: 1000, timeoutMs: 500, startPeriodMs: 0, retries: 3, ...o });

function harness(results: (ProbeResult | 'hang' | Error)[]) {
  const clock = new FakeClock();
  const statuses: [HealthStatus, HealthStatus][] = [];
  const updates: HealthState[] = [];
  const cmds: string[][] = [];
  let aborted = 0;
  let paused = false;
  const checker = new HealthChecker({
    clock,
    probe: (_id, cmd, signal) => {
      cmds.push(cmd);
      const r = results.shift() ?? { exitCode: 0, output: '' };
      if (r === 'hang')
        return new Promise((_res, rej) =>
          signal.addEventListener('abort', () => {
            aborted++;
            rej(new Error('killed'));
          }),
        );
      if (r instanceof Error) return Promise.reject(r);
      return Promise.resolve(r);
    },
    onStatus: (_id, s, prev) => statuses.push([s, prev]),
    onUpdate: (_id, st) => updates.push(st),
    shouldProbe: () => !paused,
  });
  return { clock, checker, statuses, updates, cmds, aborted: () => aborted, setPaused: (p: boolean) => (paused = p) };
}

const ok = { exitCode: 0, output: 'fine\n' };
const fail = { exitCode: 1, output: 'nope\n' };

test('starting, then healthy on the first success; no probe before the first interval', async () => {
  const h = harness([ok]);
  h.checker.start('c', cfg(), { startedAtMs: h.clock.now() });
  assert.equal(h.checker.state('c')?.status, 'starting');
  await h.clock.advance(999);
  assert.equal(h.cmds.length, 0);
  await h.clock.advance(1);
  assert.equal(h.cmds.length, 1);
  assert.deepEqual(h.cmds[0], ['/bin/sh', '-c', 'check']);
  const st = h.checker.state('c')!;
  assert.equal(st.status, 'healthy');
  assert.equal(st.failingStreak, 0);
  assert.equal(st.log.length, 1);
  assert.equal(st.log[0]!.exitCode, 0);
  assert.equal(st.log[0]!.output, 'fine\n');
  assert.deepEqual(h.statuses, [['healthy', 'starting']]);
  h.checker.stop('c');
});

test('unhealthy only after `retries` consecutive failures; a success resets the streak', async () => {
  const h = harness([fail, fail, ok, fail, fail, fail]);
  h.checker.start('c', cfg({ retries: 2 }), { startedAtMs: h.clock.now() });
  await h.clock.advance(1000);
  assert.equal(h.checker.state('c')?.status, 'starting');
  assert.equal(h.checker.state('c')?.failingStreak, 1);
  await h.clock.advance(1000);
  assert.equal(h.checker.state('c')?.status, 'unhealthy');
  assert.equal(h.checker.state('c')?.failingStreak, 2);
  await h.clock.advance(1000);
  assert.equal(h.checker.state('c')?.status, 'healthy');
  assert.equal(h.checker.state('c')?.failingStreak, 0);
  await h.clock.advance(1000);
  assert.equal(h.checker.state('c')?.status, 'healthy', 'one failure is not enough with retries 2');
  await h.clock.advance(1000);
  assert.equal(h.checker.state('c')?.status, 'unhealthy');
  assert.deepEqual(h.statuses, [
    ['unhealthy', 'starting'],
    ['healthy', 'unhealthy'],
    ['unhealthy', 'healthy'],
  ]);
  h.checker.stop('c');
});

test('failures inside the start period do not count while starting; after it they do', async () => {
  const h = harness([fail, fail, fail, fail]);
  h.checker.start('c', cfg({ retries: 1, startPeriodMs: 2500 }), { startedAtMs: h.clock.now() });
  await h.clock.advance(2000); // probes at 1000 and 2000: inside the start period
  assert.equal(h.checker.state('c')?.status, 'starting');
  assert.equal(h.checker.state('c')?.failingStreak, 0);
  assert.equal(h.checker.state('c')?.log.length, 2, 'still logged');
  await h.clock.advance(1000); // at 3000: past it
  assert.equal(h.checker.state('c')?.status, 'unhealthy');
  assert.equal(h.checker.state('c')?.failingStreak, 1);
  h.checker.stop('c');
});

test('a probe past its timeout is aborted and recorded as exit -1; a probe that cannot run fails', async () => {
  const h = harness(['hang', new Error('exec: "x": executable file not found in $PATH')]);
  h.checker.start('c', cfg({ retries: 5, timeoutMs: 300 }), { startedAtMs: h.clock.now() });
  await h.clock.advance(1000);
  assert.equal(h.checker.state('c')?.log.length, 0, 'still running');
  await h.clock.advance(300);
  assert.equal(h.aborted(), 1);
  let st = h.checker.state('c')!;
  assert.equal(st.log.length, 1);
  assert.equal(st.log[0]!.exitCode, -1);
  assert.match(st.log[0]!.output, /exceeded timeout \(300ms\)/);
  assert.equal(st.failingStreak, 1);
  await h.clock.advance(1000);
  st = h.checker.state('c')!;
  assert.equal(st.log[1]!.exitCode, -1);
  assert.match(st.log[1]!.output, /executable file not found/);
  assert.equal(st.failingStreak, 2);
  h.checker.stop('c');
});

test('keeps the last 5 results; output is cut to 4 KiB', async () => {
  const big = 'x'.repeat(10_000);
  const h = harness([fail, fail, fail, fail, fail, { exitCode: 0, output: big }, ok]);
  h.checker.start('c', cfg({ retries: 100 }), { startedAtMs: h.clock.now() });
  await h.clock.advance(7000);
  const st = h.checker.state('c')!;
  assert.equal(st.log.length, 5);
  assert.equal(st.log[3]!.output.length, 4096);
  assert.equal(st.log[4]!.output, 'fine\n');
  assert.equal(h.updates.length, 7, 'every probe reported');
  assert.equal(truncateOutput('é'.repeat(3000)).length <= 2048, true, 'multi-byte output cut by bytes');
  h.checker.stop('c');
});

test('stop: no more probes, a probe in flight is killed and its result dropped', async () => {
  const h = harness(['hang']);
  h.checker.start('c', cfg(), { startedAtMs: h.clock.now() });
  await h.clock.advance(1000);
  h.checker.stop('c');
  await h.clock.advance(0);
  assert.equal(h.aborted(), 1);
  assert.equal(h.checker.state('c'), undefined);
  await h.clock.advance(10_000);
  assert.equal(h.cmds.length, 1);
  assert.equal(h.updates.length, 0);
  assert.equal(h.clock.pending(), 0, 'no timers left');
});

test('a paused container is not probed; a resumed state keeps its streak', async () => {
  const h = harness([fail]);
  h.setPaused(true);
  h.checker.start('c', cfg({ retries: 2 }), { startedAtMs: h.clock.now(), initial: { status: 'healthy', failingStreak: 1, log: [] } });
  await h.clock.advance(3000);
  assert.equal(h.cmds.length, 0);
  h.setPaused(false);
  await h.clock.advance(1000);
  assert.equal(h.checker.state('c')?.status, 'unhealthy', 'streak 1 kept + 1 failure = retries');
  h.checker.stop('c');
});

test('probe commands and the merge of run flags with the image', () => {
  assert.deepEqual(probeCommand(['CMD', 'curl', '-f', 'http://x/']), ['curl', '-f', 'http://x/']);
  assert.deepEqual(probeCommand(['CMD-SHELL', 'test -f /ok']), ['/bin/sh', '-c', 'test -f /ok']);
  const image = { test: ['CMD', 'true'], intervalMs: 5000, retries: 7 };
  assert.deepEqual(resolveHealthcheck(undefined, image), { test: ['CMD', 'true'], intervalMs: 5000, timeoutMs: 30_000, startPeriodMs: 0, retries: 7 });
  assert.deepEqual(resolveHealthcheck({ intervalMs: 200 }, image), { test: ['CMD', 'true'], intervalMs: 200, timeoutMs: 30_000, startPeriodMs: 0, retries: 7 });
  assert.equal(resolveHealthcheck({ test: ['NONE'] }, image), undefined);
  assert.equal(resolveHealthcheck(undefined, { test: ['NONE'] }), undefined);
  assert.equal(resolveHealthcheck(undefined, undefined), undefined);
});

test('durations as Docker writes them', async () => {
  const { parseDurationMs } = await import('@berth/shared');
  assert.equal(parseDurationMs('30s'), 30_000);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('1.5s'), 1500);
  assert.equal(parseDurationMs('1h'), 3_600_000);
  assert.equal(parseDurationMs('0'), 0);
  assert.throws(() => parseDurationMs('30'), /invalid duration/);
  assert.throws(() => parseDurationMs('1x'), /invalid duration/);
  assert.throws(() => parseDurationMs('s'), /invalid duration/);
});

test('a probe that answers null (the container is exiting) records nothing', async () => {
  const clock = new FakeClock();
  const updates: HealthState[] = [];
  let n = 0;
  const checker = new HealthChecker({ clock, probe: async () => (n++ === 0 ? null : ok), onUpdate: (_id, st) => updates.push(st) });
  checker.start('c', cfg(), { startedAtMs: clock.now() });
  await clock.advance(1000);
  assert.equal(updates.length, 0);
  assert.equal(checker.state('c')?.status, 'starting');
  await clock.advance(1000);
  assert.equal(checker.state('c')?.status, 'healthy');
  checker.stop('c');
});
