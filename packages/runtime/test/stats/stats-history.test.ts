// The history recorder over a fake sampler (a seam): series per run, decimation, cleanup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatsSample } from '@berth/shared';
import { StatsHistory, decimate } from '../../src/stats/stats-history';
import type { StatsService } from '../../src/stats/stats-service';

function fakeStats() {
  let n = 0;
  const svc = {
    async sample(id: string) {
      n++;
      if (id === 'gone') throw new Error('no such cgroup');
      const sample: StatsSample = { time: new Date().toISOString(), cpuPercent: n, cpuUsageNs: n, memoryBytes: n * 10, memoryLimitBytes: null, pids: 1, pidsLimit: null };
      return { sample, cpu: { cpuUsageNs: n, timeNs: n } };
    },
  };
  return svc as unknown as StatsService;
}

test('each running container gets a series; a restart starts a new one; a stopped one is dropped', async () => {
  let running = [
    { id: 'a', startedAt: 't1' },
    { id: 'gone', startedAt: 't1' },
  ];
  const h = new StatsHistory(fakeStats(), () => running, { max: 100 });
  await h.tick();
  await h.tick();
  assert.equal(h.get('a').samples.length, 2);
  assert.equal(h.get('a').startedAt, 't1');
  assert.equal(h.get('gone').samples.length, 0, 'a failing sample adds nothing');
  running = [{ id: 'a', startedAt: 't2' }];
  await h.tick();
  assert.equal(h.get('a').samples.length, 1, 'the restart began a new series');
  running = [];
  await h.tick();
  assert.deepEqual(h.get('a'), { startedAt: null, stepMs: 2000, samples: [] });
});

test('at max samples pairs merge: resolution halves, the whole run stays', async () => {
  const h = new StatsHistory(fakeStats(), () => [{ id: 'a', startedAt: 't' }], { max: 8, intervalMs: 1000 });
  for (let i = 0; i < 8; i++) await h.tick();
  const got = h.get('a');
  assert.equal(got.samples.length, 4);
  assert.equal(got.stepMs, 2000);
  assert.deepEqual(
    got.samples.map((s) => s.memoryBytes),
    [20, 40, 60, 80],
    'peak memory of each pair is kept',
  );
});

test('decimate: mean CPU, peak memory, an odd last sample kept', () => {
  const s = (cpu: number, mem: number): StatsSample => ({ time: '', cpuPercent: cpu, cpuUsageNs: 0, memoryBytes: mem, memoryLimitBytes: null, pids: 1, pidsLimit: null });
  const out = decimate([s(10, 5), s(30, 1), s(7, 7)]);
  assert.deepEqual(
    out.map((x) => [x.cpuPercent, x.memoryBytes]),
    [
      [20, 5],
      [7, 7],
    ],
  );
});
