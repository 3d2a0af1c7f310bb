import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CgroupV1, type V1Mounts } from '../../src/cgroups/v1/driver';
import { parseLimit } from '../../src/cgroups/files';
import { memoryWriteOrder } from '../../src/cgroups/v1/memory';
import { runCgroupConformance, type CgroupFixture } from './conformance';
import { FakeKernel, writeTree } from './fake-kernel';

const UNLIMITED = '9223372036854771712';

/** The files a v1 kernel shows in a new group, by hierarchy (cpu and cpuacct co-mounted here). */
function v1Files(hierarchy: string, opts: { memsw: boolean }): Record<string, string> {
  const common = { 'cgroup.procs': '', tasks: '', notify_on_release: '0' };
  const byHierarchy: Record<string, Record<string, string>> = {
    memory: {
      'memory.limit_in_bytes': UNLIMITED,
      ...(opts.memsw ? { 'memory.memsw.limit_in_bytes': UNLIMITED } : {}),
      'memory.usage_in_bytes': '0',
      'memory.stat': 'cache 0\nrss 0\ninactive_file 0\ntotal_cache 0\ntotal_rss 0\ntotal_inactive_file 0\n',
      'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n',
    },
    'cpu,cpuacct': {
      'cpu.cfs_period_us': '100000',
      'cpu.cfs_quota_us': '-1',
      'cpu.shares': '1024',
      'cpu.stat': 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\n',
      'cpuacct.usage': '0',
    },
    cpuset: { 'cpuset.cpus': '', 'cpuset.mems': '' },
    pids: { 'pids.max': 'max', 'pids.current': '0' },
    devices: { 'devices.list': 'a *:* rwm\n' },
    freezer: { 'freezer.state': 'THAWED\n' },
    blkio: { 'blkio.weight': '500' },
  };
  return { ...common, ...byHierarchy[hierarchy] };
}

interface V1Fixture extends CgroupFixture {
  mounts: Record<string, string>;
}

async function makeV1Fixture(root: string, opts = { memsw: true }): Promise<V1Fixture> {
  const hierarchies = ['memory', 'cpu,cpuacct', 'cpuset', 'pids', 'devices', 'freezer', 'blkio'];
  const mounts: Record<string, string> = {};
  for (const h of hierarchies) {
    const dir = path.join(root, h);
    await writeTree(dir, v1Files(h, opts));
    for (const c of h.split(',')) mounts[c] = dir;
  }
  await writeTree(root, { 'cpuset/cpuset.cpus': '0-3\n', 'cpuset/cpuset.mems': '0\n' });
  const kernel = new FakeKernel((dir) => {
    const h = path.relative(root, dir).split(path.sep)[0]!;
    return v1Files(h, opts);
  });
  const driver = new CgroupV1(mounts, { fs: kernel, removeTimeoutMs: 300 });
  const g = (h: string, id: string) => path.join(root, h, 'berth', id);
  const read = (h: string, id: string, f: string) => fs.readFile(path.join(g(h, id), f), 'utf8');
  return {
    driver,
    kernel,
    mounts,
    groupDirs: (id) => hierarchies.map((h) => g(h, id)),
    async simulate(id, s) {
      await writeTree(g('memory', id), {
        'memory.usage_in_bytes': String(s.memoryUsageBytes),
        'memory.stat': `cache 0\ninactive_file 0\ntotal_cache ${s.inactiveFileBytes}\ntotal_inactive_file ${s.inactiveFileBytes}\n`,
        'memory.oom_control': `oom_kill_disable 0\nunder_oom 0\noom_kill ${s.oomKills}\n`,
      });
      await writeTree(g('cpu,cpuacct', id), {
        'cpuacct.usage': String(s.cpuUsageNs),
        'cpu.stat': `nr_periods 100\nnr_throttled ${s.throttledPeriods}\nthrottled_time ${s.throttledNs}\n`,
      });
      await writeTree(g('pids', id), { 'pids.current': String(s.pids.length) });
      const procs = s.pids.map((p) => `${p}\n`).join('');
      for (const h of hierarchies) await writeTree(g(h, id), { 'cgroup.procs': procs });
    },
    async readLimits(id) {
      const quota = Number(await read('cpu,cpuacct', id, 'cpu.cfs_quota_us'));
      const period = Number(await read('cpu,cpuacct', id, 'cpu.cfs_period_us'));
      return {
        memoryBytes: parseLimit(await read('memory', id, 'memory.limit_in_bytes')),
        memorySwapBytes: opts.memsw ? parseLimit(await read('memory', id, 'memory.memsw.limit_in_bytes')) : null,
        nanoCpus: quota < 0 ? null : (quota / period) * 1e9,
        cpuShares: Number(await read('cpu,cpuacct', id, 'cpu.shares')),
        pidsLimit: parseLimit(await read('pids', id, 'pids.max')),
      };
    },
  };
}

runCgroupConformance('v1', (root) => makeV1Fixture(root));

describe('cgroup v1 specifics', () => {
  const id = '0123456789abcdef';
  const withRoot = async (fn: (root: string) => Promise<void>) => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-cgv1-'));
    try {
      await fn(root);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  };

  it('copies cpuset.cpus and cpuset.mems from the parent into the berth group and the new group', () =>
    withRoot(async (root) => {
      const fx = await makeV1Fixture(root);
      await fx.driver.create(id, {});
      for (const dir of [path.join(root, 'cpuset', 'berth'), path.join(root, 'cpuset', 'berth', id)]) {
        assert.equal((await fs.readFile(path.join(dir, 'cpuset.cpus'), 'utf8')).trim(), '0-3');
        assert.equal((await fs.readFile(path.join(dir, 'cpuset.mems'), 'utf8')).trim(), '0');
      }
    }));

  it('keeps a cpuset already chosen on re-create', () =>
    withRoot(async (root) => {
      const fx = await makeV1Fixture(root);
      await fx.driver.create(id, {});
      await fs.writeFile(path.join(root, 'cpuset', 'berth', id, 'cpuset.cpus'), '1');
      await fx.driver.create(id, {});
      assert.equal(await fs.readFile(path.join(root, 'cpuset', 'berth', id, 'cpuset.cpus'), 'utf8'), '1');
    }));

  it('creates one group for co-mounted cpu,cpuacct and writes the cfs period', () =>
    withRoot(async (root) => {
      const fx = await makeV1Fixture(root);
      await fx.driver.create(id, { nanoCpus: 1_500_000_000 });
      const procs = fx.driver.procsFiles(id);
      assert.equal(procs.length, 7);
      assert.equal(procs.filter((p) => p.includes('cpu,cpuacct')).length, 1);
      const dir = path.join(root, 'cpu,cpuacct', 'berth', id);
      assert.equal(await fs.readFile(path.join(dir, 'cpu.cfs_period_us'), 'utf8'), '100000');
      assert.equal(await fs.readFile(path.join(dir, 'cpu.cfs_quota_us'), 'utf8'), '150000');
    }));

  it('ignores the swap limit when the kernel does not account swap', () =>
    withRoot(async (root) => {
      const fx = await makeV1Fixture(root, { memsw: false });
      await fx.driver.create(id, { memoryBytes: 1 << 25, memorySwapBytes: 1 << 26 });
      const dir = path.join(root, 'memory', 'berth', id);
      assert.equal(await fs.readFile(path.join(dir, 'memory.limit_in_bytes'), 'utf8'), String(1 << 25));
      await assert.rejects(fs.access(path.join(dir, 'memory.memsw.limit_in_bytes')));
    }));

  it('orders memory and memory+swap writes so memory never exceeds memory+swap', () => {
    assert.deepEqual(memoryWriteOrder(null, 128 << 20), ['memory', 'memsw']); // fresh group: lower memory first
    assert.deepEqual(memoryWriteOrder(64 << 20, 512 << 20), ['memsw', 'memory']); // raising
    assert.deepEqual(memoryWriteOrder(512 << 20, 128 << 20), ['memory', 'memsw']); // lowering
    assert.deepEqual(memoryWriteOrder(64 << 20, -1), ['memsw', 'memory']); // unlimited swap
  });

  it('re-creating with bigger memory and memory+swap writes both', () =>
    withRoot(async (root) => {
      const fx = await makeV1Fixture(root);
      await fx.driver.create(id, { memoryBytes: 64 << 20, memorySwapBytes: 128 << 20 });
      await fx.driver.create(id, { memoryBytes: 256 << 20, memorySwapBytes: 512 << 20 });
      const dir = path.join(root, 'memory', 'berth', id);
      assert.equal(await fs.readFile(path.join(dir, 'memory.limit_in_bytes'), 'utf8'), String(256 << 20));
      assert.equal(await fs.readFile(path.join(dir, 'memory.memsw.limit_in_bytes'), 'utf8'), String(512 << 20));
    }));

  it('asks for the controller a limit needs', () =>
    withRoot(async (root) => {
      const driver = new CgroupV1({ memory: path.join(root, 'memory') } satisfies V1Mounts);
      await assert.rejects(driver.create(id, { pidsLimit: 5 }), { code: 'failed_precondition', message: /pids/ });
    }));

  it('freezes around SIGKILL and thaws afterwards', () =>
    withRoot(async (root) => {
      const fx = await makeV1Fixture(root);
      await fx.driver.create(id, {});
      await fx.driver.killAll(id);
      assert.equal(await fs.readFile(path.join(root, 'freezer', 'berth', id, 'freezer.state'), 'utf8'), 'THAWED');
    }));
});
