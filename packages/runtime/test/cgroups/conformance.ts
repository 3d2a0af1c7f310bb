// The suite every CgroupDriver passes, run against a fixture tree in a temp dir where a
// FakeKernel plays cgroupfs. Each driver's test file supplies the fixture: how to build the tree,
// how the kernel would report usage, and how to read limits back out of its files.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, beforeEach, afterEach } from 'node:test';
import type { CgroupDriver, CgroupLimits } from '../../src/cgroups/driver';
import { sharesToWeight } from '../../src/cgroups/limits';
import type { FakeKernel } from './fake-kernel';

/** What a running container would make the kernel report. */
export interface KernelSample {
  cpuUsageNs: number;
  throttledPeriods: number;
  throttledNs: number;
  memoryUsageBytes: number; // including page cache
  inactiveFileBytes: number;
  oomKills: number;
  pids: number[];
}

/** Limits as found in the group's files, in CgroupLimits units; null = unlimited. */
export interface LimitsReadBack {
  memoryBytes: number | null;
  /** memory + swap, like Docker's --memory-swap */
  memorySwapBytes: number | null;
  nanoCpus: number | null;
  /** smallest shares the written value stands for (v2 keeps only a weight) */
  cpuShares: number;
  pidsLimit: number | null;
}

export interface CgroupFixture {
  driver: CgroupDriver;
  kernel: FakeKernel;
  /** every directory the driver should create for id, one per distinct hierarchy */
  groupDirs(id: string): string[];
  simulate(id: string, sample: KernelSample): Promise<void>;
  readLimits(id: string): Promise<LimitsReadBack>;
}

export type MakeDriverOnFixture = (root: string) => Promise<CgroupFixture>;

const MiB = 1024 * 1024;
const idle: KernelSample = {
  cpuUsageNs: 0,
  throttledPeriods: 0,
  throttledNs: 0,
  memoryUsageBytes: 0,
  inactiveFileBytes: 0,
  oomKills: 0,
  pids: [],
};

function spawnSleep(): ChildProcess {
  return spawn('sleep', ['30'], { stdio: 'ignore' });
}

export function runCgroupConformance(name: string, makeDriverOnFixture: MakeDriverOnFixture): void {
  describe(`cgroup driver conformance: ${name}`, () => {
    let root: string;
    let fx: CgroupFixture;
    const children: ChildProcess[] = [];
    const id = 'abcdef0123456789';

    beforeEach(async () => {
      root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-cgroups-'));
      fx = await makeDriverOnFixture(root);
    });
    afterEach(async () => {
      for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await fs.rm(root, { recursive: true, force: true });
    });

    it('creates the group under a berth parent, idempotently', async () => {
      assert.equal(await fx.driver.exists(id), false);
      await fx.driver.create(id, {});
      await fx.driver.create(id, {});
      for (const d of fx.groupDirs(id)) {
        assert.equal(path.basename(path.dirname(d)), 'berth');
        assert.ok(existsSync(d), `${d} exists`);
      }
      assert.equal(await fx.driver.exists(id), true);
    });

    it('rejects ids that are not 12-64 lowercase hex before touching the filesystem', async () => {
      for (const bad of ['../../etc', 'ABCDEF012345', 'abc', 'abcdef012345/x', 'a'.repeat(65)]) {
        await assert.rejects(fx.driver.create(bad, {}), { code: 'invalid_argument' });
        assert.throws(() => fx.driver.procsFiles(bad), { code: 'invalid_argument' });
        await assert.rejects(fx.driver.remove(bad), { code: 'invalid_argument' });
        await assert.rejects(fx.driver.stats(bad), { code: 'invalid_argument' });
      }
      assert.deepEqual(fx.kernel.calls, []);
    });

    it('freezes and thaws the group (pause/unpause)', async () => {
      await fx.driver.create(id, {});
      assert.equal(await fx.driver.frozen(id), false);
      await fx.driver.freeze(id);
      assert.equal(await fx.driver.frozen(id), true);
      await fx.driver.thaw(id);
      assert.equal(await fx.driver.frozen(id), false);
    });

    it('rejects nonsensical limits', async () => {
      await assert.rejects(fx.driver.create(id, { memoryBytes: 1.5 }), { code: 'invalid_argument' });
      await assert.rejects(fx.driver.create(id, { memoryBytes: 64 * MiB, memorySwapBytes: 32 * MiB }), {
        code: 'invalid_argument',
      });
      await assert.rejects(fx.driver.create(id, { memorySwapBytes: 32 * MiB }), { code: 'invalid_argument' });
      await assert.rejects(fx.driver.create(id, { cpuShares: 1 }), { code: 'invalid_argument' });
    });

    it('writes limits into the kernel files', async () => {
      const limits: CgroupLimits = {
        memoryBytes: 32 * MiB,
        memorySwapBytes: 64 * MiB,
        nanoCpus: 500_000_000,
        cpuShares: 512,
        pidsLimit: 20,
      };
      await fx.driver.create(id, limits);
      const got = await fx.readLimits(id);
      assert.equal(got.memoryBytes, 32 * MiB);
      assert.equal(got.memorySwapBytes, 64 * MiB);
      assert.equal(got.nanoCpus, 500_000_000);
      assert.equal(sharesToWeight(got.cpuShares), sharesToWeight(512));
      assert.equal(got.pidsLimit, 20);
    });

    it('leaves unset limits alone and lifts limits given as -1 / 0', async () => {
      await fx.driver.create(id, {});
      const fresh = await fx.readLimits(id);
      assert.deepEqual(
        { m: fresh.memoryBytes, c: fresh.nanoCpus, p: fresh.pidsLimit },
        { m: null, c: null, p: null },
      );
      await fx.driver.create(id, { memoryBytes: 32 * MiB, nanoCpus: 2_000_000_000, pidsLimit: 20 });
      await fx.driver.create(id, { pidsLimit: 50 });
      let got = await fx.readLimits(id);
      assert.equal(got.memoryBytes, 32 * MiB);
      assert.equal(got.nanoCpus, 2_000_000_000);
      assert.equal(got.pidsLimit, 50);
      await fx.driver.create(id, { memoryBytes: -1, nanoCpus: 0, pidsLimit: 0 });
      got = await fx.readLimits(id);
      assert.deepEqual({ m: got.memoryBytes, c: got.nanoCpus, p: got.pidsLimit }, { m: null, c: null, p: null });
    });

    it('names one absolute cgroup.procs per distinct hierarchy', async () => {
      await fx.driver.create(id, {});
      const files = fx.driver.procsFiles(id);
      assert.deepEqual(
        [...files].sort(),
        fx.groupDirs(id).map((d) => path.join(d, 'cgroup.procs')).sort(),
      );
      assert.equal(new Set(files).size, files.length);
      for (const f of files) assert.ok(path.isAbsolute(f) && existsSync(f), f);
    });

    it('parses stats, leaving page cache out of memory usage', async () => {
      await fx.driver.create(id, { memoryBytes: 32 * MiB, pidsLimit: 20 });
      await fx.simulate(id, {
        cpuUsageNs: 1_234_567_000,
        throttledPeriods: 7,
        throttledNs: 89_000_000,
        memoryUsageBytes: 10 * MiB,
        inactiveFileBytes: 3 * MiB,
        oomKills: 2,
        pids: [4242, 4243],
      });
      assert.deepEqual(await fx.driver.stats(id), {
        cpuUsageNs: 1_234_567_000,
        throttledPeriods: 7,
        throttledNs: 89_000_000,
        memoryUsageBytes: 7 * MiB,
        memoryLimitBytes: 32 * MiB,
        oomKills: 2,
        pids: 2,
        pidsLimit: 20,
      });
    });

    it('reports unlimited as null and never a negative usage', async () => {
      await fx.driver.create(id, {});
      await fx.simulate(id, { ...idle, memoryUsageBytes: MiB, inactiveFileBytes: 2 * MiB });
      const s = await fx.driver.stats(id);
      assert.equal(s.memoryLimitBytes, null);
      assert.equal(s.pidsLimit, null);
      assert.equal(s.memoryUsageBytes, MiB);
    });

    it('stats on a missing group fail with not_found', async () => {
      await assert.rejects(fx.driver.stats(id), { code: 'not_found' });
    });

    it('lists pids and signals every one of them', async () => {
      await fx.driver.create(id, {});
      const a = spawnSleep();
      const b = spawnSleep();
      children.push(a, b);
      await Promise.all([once(a, 'spawn'), once(b, 'spawn')]);
      await fx.simulate(id, { ...idle, pids: [a.pid!, b.pid!] });
      assert.deepEqual((await fx.driver.pids(id)).sort(), [a.pid!, b.pid!].sort());

      const exits = Promise.all([once(a, 'exit'), once(b, 'exit')]);
      await fx.driver.killAll(id, 'SIGTERM');
      const [[, sigA], [, sigB]] = await exits;
      assert.deepEqual([sigA, sigB], ['SIGTERM', 'SIGTERM']);
    });

    it('killAll sends SIGKILL by default and ignores pids that are gone', async () => {
      await fx.driver.create(id, {});
      const a = spawnSleep();
      children.push(a);
      await once(a, 'spawn');
      const gone = spawnSleep();
      await once(gone, 'spawn');
      gone.kill('SIGKILL');
      await once(gone, 'exit');
      await fx.simulate(id, { ...idle, pids: [gone.pid!, a.pid!] });
      const exit = once(a, 'exit');
      await fx.driver.killAll(id);
      assert.equal((await exit)[1], 'SIGKILL');
    });

    it('removes the group; a missing group is fine', async () => {
      await fx.driver.create(id, { memoryBytes: 32 * MiB });
      await fx.driver.remove(id);
      for (const d of fx.groupDirs(id)) assert.equal(existsSync(d), false, `${d} removed`);
      for (const d of fx.groupDirs(id)) assert.ok(existsSync(path.dirname(d)), 'the berth parent stays');
      assert.equal(await fx.driver.exists(id), false);
      await fx.driver.remove(id);
      await fx.driver.remove('0123456789ab');
    });

    it('remove kills stragglers still in the group, then removes it', async () => {
      await fx.driver.create(id, {});
      const a = spawnSleep();
      children.push(a);
      await once(a, 'spawn');
      await fx.simulate(id, { ...idle, pids: [a.pid!] });
      const exit = once(a, 'exit');
      await fx.driver.remove(id);
      assert.equal((await exit)[1], 'SIGKILL');
      assert.equal(await fx.driver.exists(id), false);
    });

    it('remove removes sub-groups the container created', async () => {
      await fx.driver.create(id, {});
      for (const d of fx.groupDirs(id)) await fx.kernel.mkdir(path.join(d, 'nested'));
      await fx.driver.remove(id);
      assert.equal(await fx.driver.exists(id), false);
    });

    it('remove gives up with unavailable when the group stays busy', async () => {
      await fx.driver.create(id, {});
      for (const d of fx.groupDirs(id)) fx.kernel.stuck.add(d);
      const started = Date.now();
      await assert.rejects(fx.driver.remove(id), (e: { code?: string; message?: string }) => {
        assert.equal(e.code, 'unavailable');
        assert.match(e.message ?? '', /still busy/);
        return true;
      });
      assert.ok(Date.now() - started >= 200, 'retried before giving up');
    });
  });
}
