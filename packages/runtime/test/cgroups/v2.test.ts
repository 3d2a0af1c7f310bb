import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CgroupV2 } from '../../src/cgroups/v2/driver';
import { parseLimit } from '../../src/cgroups/files';
import { sharesToWeight } from '../../src/cgroups/limits';
import { runCgroupConformance, type CgroupFixture } from './conformance';
import { FakeKernel, writeTree } from './fake-kernel';

/** The files a v2 kernel shows in a new group; its controllers are what the parent delegated. */
function v2Files(parentSubtreeControl: string): Record<string, string> {
  return {
    'cgroup.controllers': parentSubtreeControl.replaceAll('+', '').trim(),
    'cgroup.subtree_control': '',
    'cgroup.procs': '',
    'memory.max': 'max',
    'memory.swap.max': 'max',
    'memory.current': '0',
    'memory.stat': 'anon 0\nfile 0\ninactive_file 0\n',
    'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n',
    'cpu.max': 'max 100000',
    'cpu.weight': '100',
    'cpu.stat': 'usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n',
    'pids.max': 'max',
    'pids.current': '0',
    'cgroup.freeze': '0',
  };
}

/** Smallest v1 shares that map to a v2 weight (the inverse of sharesToWeight). */
const weightToShares = (w: number) => 2 + Math.ceil(((w - 1) * 262142) / 9999);

async function makeV2Fixture(root: string, extraRootFiles: Record<string, string> = {}): Promise<CgroupFixture> {
  await writeTree(root, {
    'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc',
    'cgroup.subtree_control': '',
    'cgroup.procs': '1\n',
    ...extraRootFiles,
  });
  const kernel = new FakeKernel((dir) => {
    const parent = path.join(path.dirname(dir), 'cgroup.subtree_control');
    // populate runs inside mkdir before anything else can write, so a sync read is fine
    let delegated = '';
    try {
      delegated = readFileSync(parent, 'utf8');
    } catch {}
    return v2Files(delegated);
  });
  const driver = new CgroupV2(root, { fs: kernel, removeTimeoutMs: 300 });
  const g = (id: string) => path.join(root, 'berth', id);
  const read = (id: string, f: string) => fs.readFile(path.join(g(id), f), 'utf8');
  return {
    driver,
    kernel,
    groupDirs: (id) => [g(id)],
    async simulate(id, s) {
      await writeTree(g(id), {
        'memory.current': String(s.memoryUsageBytes),
        'memory.stat': `anon 0\nfile ${s.inactiveFileBytes}\ninactive_file ${s.inactiveFileBytes}\n`,
        'memory.events': `low 0\nhigh 0\nmax 3\noom ${s.oomKills}\noom_kill ${s.oomKills}\n`,
        'cpu.stat': `usage_usec ${s.cpuUsageNs / 1000}\nuser_usec 0\nsystem_usec 0\nnr_periods 100\nnr_throttled ${s.throttledPeriods}\nthrottled_usec ${s.throttledNs / 1000}\n`,
        'pids.current': String(s.pids.length),
        'cgroup.procs': s.pids.map((p) => `${p}\n`).join(''),
      });
    },
    async readLimits(id) {
      const memory = parseLimit(await read(id, 'memory.max'));
      const swap = parseLimit(await read(id, 'memory.swap.max'));
      const [quota, period] = (await read(id, 'cpu.max')).trim().split(' ');
      return {
        memoryBytes: memory,
        memorySwapBytes: memory === null || swap === null ? null : memory + swap,
        nanoCpus: quota === 'max' ? null : (Number(quota) / Number(period)) * 1e9,
        cpuShares: weightToShares(Number(await read(id, 'cpu.weight'))),
        pidsLimit: parseLimit(await read(id, 'pids.max')),
      };
    },
  };
}

runCgroupConformance('v2', (root) => makeV2Fixture(root));

describe('cgroup v2 specifics', () => {
  const id = '0123456789abcdef';
  const withRoot = async (fn: (root: string) => Promise<void>) => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-cgv2-'));
    try {
      await fn(root);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  };

  it('delegates the available controllers down through cgroup.subtree_control', () =>
    withRoot(async (root) => {
      const fx = await makeV2Fixture(root);
      await fx.driver.create(id, {});
      for (const dir of [root, path.join(root, 'berth')]) {
        const enabled = (await fs.readFile(path.join(dir, 'cgroup.subtree_control'), 'utf8')).split(/\s+/);
        assert.deepEqual(enabled.sort(), ['+cpu', '+cpuset', '+io', '+memory', '+pids']);
      }
      const controllers = await fs.readFile(path.join(root, 'berth', id, 'cgroup.controllers'), 'utf8');
      assert.deepEqual(controllers.split(' ').sort(), ['cpu', 'cpuset', 'io', 'memory', 'pids']);
    }));

  it('does not ask for controllers the kernel lacks or already delegates', () =>
    withRoot(async (root) => {
      const fx = await makeV2Fixture(root, { 'cgroup.controllers': 'cpu memory pids', 'cgroup.subtree_control': 'memory' });
      await fx.driver.create(id, {});
      assert.equal(await fs.readFile(path.join(root, 'cgroup.subtree_control'), 'utf8'), '+cpu +pids');
    }));

  it('writes cpu.max as "quota period", cpu.weight from shares, swap apart from memory', () =>
    withRoot(async (root) => {
      const fx = await makeV2Fixture(root);
      await fx.driver.create(id, { nanoCpus: 1_500_000_000, cpuShares: 1024, memoryBytes: 32 << 20, memorySwapBytes: 48 << 20 });
      const dir = path.join(root, 'berth', id);
      assert.equal(await fs.readFile(path.join(dir, 'cpu.max'), 'utf8'), '150000 100000');
      assert.equal(await fs.readFile(path.join(dir, 'cpu.weight'), 'utf8'), String(sharesToWeight(1024)));
      assert.equal(await fs.readFile(path.join(dir, 'memory.swap.max'), 'utf8'), String(16 << 20));
      await fx.driver.create(id, { nanoCpus: 0, memoryBytes: 32 << 20, memorySwapBytes: -1 });
      assert.equal(await fs.readFile(path.join(dir, 'cpu.max'), 'utf8'), 'max 100000');
      assert.equal(await fs.readFile(path.join(dir, 'memory.swap.max'), 'utf8'), 'max');
    }));

  it('maps shares onto weights the way runc does', () => {
    assert.equal(sharesToWeight(2), 1);
    assert.equal(sharesToWeight(1024), 39);
    assert.equal(sharesToWeight(262144), 10000);
  });

  it('uses cgroup.kill for SIGKILL when the kernel has it', () =>
    withRoot(async (root) => {
      const fx = await makeV2Fixture(root);
      await fx.driver.create(id, {});
      const kill = path.join(root, 'berth', id, 'cgroup.kill');
      await fs.writeFile(kill, '0');
      await fx.driver.killAll(id);
      assert.equal(await fs.readFile(kill, 'utf8'), '1');
    }));
});
