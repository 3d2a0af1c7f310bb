// ROOT test against the real cgroup v1 hierarchies of this host. It fails (never skips) when not
// run as root, so CI — which runs as root — always exercises it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { detectCgroups } from '../../src/cgroups/detect';

const MiB = 1024 * 1024;

test('cgroup v1 on the real /sys/fs/cgroup: limits, stats, killAll, remove (ROOT)', async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test needs root: it creates cgroups under /sys/fs/cgroup (run it as root)');
  const driver = detectCgroups();
  assert.equal(driver.version, 1, 'this host is expected to run cgroup v1 (hybrid)');

  const id = randomBytes(8).toString('hex');
  // Started paused: the pid joins the groups first, then it execs sleep, so the pages exec touches
  // are charged to the new memory group (v1 does not move existing charges with a task).
  const child = spawn('sh', ['-c', 'read _ && exec sleep 30'], { stdio: ['pipe', 'ignore', 'ignore'] });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await driver.remove(id).catch(() => {});
  });
  await once(child, 'spawn');
  const pid = child.pid!;

  await driver.create(id, { memoryBytes: 32 * MiB, pidsLimit: 20, nanoCpus: 500_000_000 });
  const dirs = driver.procsFiles(id).map((f) => path.dirname(f));
  assert.ok(dirs.length >= 5, `one group per mounted hierarchy, got ${dirs.join(', ')}`);
  for (const d of dirs) assert.ok(existsSync(d), `${d} exists`);
  assert.equal(await driver.exists(id), true);

  for (const f of driver.procsFiles(id)) await fs.writeFile(f, String(pid));
  child.stdin!.end('go\n');
  // Wait until the exec has happened (the comm becomes sleep).
  for (let i = 0; i < 100 && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'sleep'; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'sleep');

  // The kernel's own view of the limits.
  // A hierarchy's mount dir is named after its controllers ("cpu", "cpu,cpuacct", ...).
  const file = (controller: string, name: string) => {
    const dir = dirs.find((d) => path.basename(path.dirname(path.dirname(d))).split(',').includes(controller));
    assert.ok(dir, `a group in the ${controller} hierarchy`);
    return readFileSync(path.join(dir, name), 'utf8').trim();
  };
  assert.equal(file('memory', 'memory.limit_in_bytes'), String(32 * MiB));
  assert.equal(file('pids', 'pids.max'), '20');
  assert.equal(file('cpu', 'cpu.cfs_period_us'), '100000');
  assert.equal(file('cpu', 'cpu.cfs_quota_us'), '50000');
  assert.notEqual(file('cpuset', 'cpuset.cpus'), '', 'cpuset inherited from the parent');

  // The kernel lists the pid in each hierarchy.
  for (const f of driver.procsFiles(id)) assert.deepEqual(readFileSync(f, 'utf8').trim().split('\n'), [String(pid)], f);
  assert.deepEqual(await driver.pids(id), [pid]);

  const stats = await driver.stats(id);
  t.diagnostic(`stats: ${JSON.stringify(stats)}`);
  assert.equal(stats.pids, 1);
  assert.equal(stats.pidsLimit, 20);
  assert.ok(stats.memoryUsageBytes > 0, `memory usage ${stats.memoryUsageBytes} > 0`);
  assert.equal(stats.memoryLimitBytes, 32 * MiB);
  assert.ok(Number.isFinite(stats.cpuUsageNs) && stats.cpuUsageNs >= 0, `cpu usage ${stats.cpuUsageNs}`);
  assert.ok(Number.isFinite(stats.throttledNs) && stats.oomKills === 0);

  const exit = once(child, 'exit');
  await driver.killAll(id);
  assert.equal((await exit)[1], 'SIGKILL');

  await driver.remove(id);
  for (const d of dirs) assert.equal(existsSync(d), false, `${d} removed`);
  assert.equal(await driver.exists(id), false);
  await driver.remove(id); // a missing group is fine
});

test('cgroup v1 remove kills stragglers on the real hierarchy (ROOT)', async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test needs root: it creates cgroups under /sys/fs/cgroup (run it as root)');
  const driver = detectCgroups();
  const id = randomBytes(8).toString('hex');
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await driver.remove(id).catch(() => {});
  });
  await once(child, 'spawn');
  await driver.create(id, { pidsLimit: 10 });
  for (const f of driver.procsFiles(id)) await fs.writeFile(f, String(child.pid));
  const exit = once(child, 'exit');
  await driver.remove(id);
  assert.equal((await exit)[1], 'SIGKILL');
  assert.equal(await driver.exists(id), false);
});
